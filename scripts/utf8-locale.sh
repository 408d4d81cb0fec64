# Sourced by ./spindle: defines use_utf8_locale, which makes the character type of the locale the
# JVM starts under UTF-8 when the user's is not, keeping every other category of the user's locale.
# The JVM turns file names into bytes with the encoding of the locale it started under
# (sun.jnu.encoding; no java option changes it), so under LANG=C it cannot even name a file é.txt,
# and 'spindle serve --mode files' could store no upload under its UTF-8 name. C.UTF-8 is used when
# it is installed, else the first UTF-8 locale 'locale -a' lists; with none, nothing changes and
# the server refuses non-ASCII names, saying why.

use_utf8_locale() {
    local charmap locales utf8 category
    charmap=$(locale charmap 2>/dev/null) || return 0
    case "$charmap" in
        UTF-8 | utf-8 | UTF8 | utf8) return 0 ;;
    esac
    locales=$(locale -a 2>/dev/null) || return 0
    utf8=$(grep -i -m1 -E '^c\.utf-?8$' <<<"$locales") || utf8=$(grep -i -m1 -E '\.utf-?8$' <<<"$locales") || return 0
    if [ -n "${LC_ALL:-}" ]; then
        # LC_ALL overrides every category: give its value to the others, then let LC_CTYPE differ.
        for category in LC_COLLATE LC_MESSAGES LC_MONETARY LC_NUMERIC LC_TIME; do
            export "$category=$LC_ALL"
        done
        unset LC_ALL
    fi
    export LC_CTYPE="$utf8"
}
