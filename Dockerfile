# aqua6's development container: the whole toolchain for both ports, for
# students on macOS or Windows (or any host whose own packages are too old).
#
#   docker build -t aqua6 .
#   docker run --rm -it -v "$PWD":/aqua6 aqua6 make qemu
#   docker run --rm -v "$PWD":/aqua6 aqua6 make grade
#
# VS Code and GitHub Codespaces use it through .devcontainer/devcontainer.json.
# The packages are tools/packages.txt and each port's (arch/<arch>/port.toml),
# the one list that make deps, .ci/run and the Gradescope image install too
# (tools/deps.sh list applies its per-host marks); only those files are
# copied in (.dockerignore keeps the rest of arch/ out), so the image is
# rebuilt when the list changes and not when your code does.
FROM debian:bookworm

COPY tools/packages.txt tools/deps.sh /tmp/aqua6/tools/
COPY arch /tmp/aqua6/arch/
RUN apt-get update -q \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(sh /tmp/aqua6/tools/deps.sh list) \
    && rm -rf /var/lib/apt/lists/* /tmp/aqua6

# The tree is mounted here; make qemu's console needs a terminal (-it).
WORKDIR /aqua6
CMD ["make", "qemu"]
