# Prints the home of a JDK whose feature version is at least 25, or explains what is missing.
# Looks, in order, at $JAVA_HOME, the java on the PATH, and the JDKs installed under /usr/lib/jvm
# and /opt (Debian and Temurin packages put them there).
nbl4j_jdk_feature() {
  local release="$1/release"
  [ -x "$1/bin/javac" ] && [ -f "$release" ] || return 1
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release"
}

nbl4j_find_jdk() {
  local wanted=25 candidate feature
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for candidate in /usr/lib/jvm/* /opt/*jdk* /opt/java/*; do
    [ -d "$candidate" ] && candidates+=("$candidate")
  done
  for candidate in "${candidates[@]}"; do
    feature=$(nbl4j_jdk_feature "$candidate") || continue
    if [ -n "$feature" ] && [ "$feature" -ge "$wanted" ]; then
      echo "$candidate"
      return 0
    fi
  done
  {
    echo "nbl4j needs a JDK $wanted or newer (the Foreign Function & Memory API) and found none."
    echo "Looked at: \$JAVA_HOME, the java on the PATH, /usr/lib/jvm/*, /opt/*jdk*, /opt/java/*."
    echo "Install one (for example Temurin 25) or point JAVA_HOME at it."
  } >&2
  return 1
}
