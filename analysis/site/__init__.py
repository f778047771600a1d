"""Building the site: the pre-render step, new posts, and running a post without Quarto."""
