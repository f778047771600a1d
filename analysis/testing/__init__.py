"""Local stand-ins for the network sources, used by the tests and the benchmarks."""
