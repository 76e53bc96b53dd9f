# Convenience targets. The build itself is CMake: cmake --preset release && cmake --build --preset release
.PHONY: figures

# Every figure of docs/figures.md, from the experiment files (scripts/figures.sh --help).
figures:
	scripts/figures.sh
