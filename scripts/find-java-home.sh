# Sourced by ./spindle and spindle-bench/e2e: finds a JDK 21 or newer without JAVA_HOME.
# SPINDLE_JAVA_HOME or JAVA_HOME if they point at one, else the java on PATH, else the usual
# install folders, the newest first. Defines find_java_home, which prints the JDK's folder.

min_version=21

# The feature version of the JDK at $1 ("25" for 25.0.1, "8" for 1.8.0), from its release file.
feature_version() {
    local v
    v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$1/release" 2>/dev/null) || return 1
    [ -n "$v" ] || return 1
    v=${v#1.}
    echo "${v%%[.+-]*}"
}

find_java_home() {
    local candidates=() home best="" best_version=0 v
    [ -n "${SPINDLE_JAVA_HOME:-}" ] && candidates+=("$SPINDLE_JAVA_HOME")
    [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
    if command -v java >/dev/null 2>&1; then
        candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
    fi
    for home in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /usr/local/jdk* \
                "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
                /Library/Java/JavaVirtualMachines/*/Contents/Home; do
        [ -d "$home" ] && candidates+=("$home")
    done
    for home in "${candidates[@]}"; do
        [ -x "$home/bin/java" ] || continue
        v=$(feature_version "$home") || continue
        if [ "$v" -ge "$min_version" ] && [ "$v" -gt "$best_version" ]; then
            best="$home"
            best_version="$v"
        fi
    done
    [ -n "$best" ] || return 1
    echo "$best"
}
