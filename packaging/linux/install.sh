#!/bin/sh
# Add xerosync-desktop to your applications menu, from this unpacked tarball (no root needed).
#
#     ./install.sh              menu entry, icons, and xerosync + xerosync-desktop in ~/.local/bin
#     ./install.sh --uninstall  remove them again (this folder and your data stay)
#
# The menu entry starts the app from this folder: move the folder first if you want it
# elsewhere (say ~/Applications), then run install.sh from there. For every user of the
# computer, install the .deb instead (sudo apt install ./xerosync-desktop_VERSION_amd64.deb).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
bin=$HOME/.local/bin
entry=com.xerosync.Desktop

refresh() {
    command -v update-desktop-database >/dev/null 2>&1 \
        && update-desktop-database -q "$data/applications" || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 \
        && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$data/applications/$entry.desktop"
    find "$data/icons/hicolor" -name "$entry.*" -delete 2>/dev/null || true
    for command in xerosync xerosync-desktop; do
        # only our own links: never a command of the same name installed otherwise
        case $(readlink "$bin/$command" 2>/dev/null || true) in
            */xerosync-desktop*/"$command") rm -f "$bin/$command" ;;
        esac
    done
    refresh
    echo "xerosync-desktop removed from the menu. Its data stays in $data/xerosync-desktop."
    exit 0
fi

if [ ! -x "$here/xerosync-desktop" ]; then
    echo "install.sh: $here/xerosync-desktop is missing: run install.sh from the unpacked" \
         "xerosync-desktop folder." >&2
    exit 1
fi

mkdir -p "$data/applications" "$data/icons" "$bin"
# Exec and TryExec point into this folder; quoted as the desktop entry spec asks
sed -e "s|^Exec=.*|Exec=\"$here/xerosync-desktop\"|" \
    -e "/^Exec=/a TryExec=$here/xerosync-desktop" \
    "$here/share/applications/$entry.desktop" > "$data/applications/$entry.desktop"
cp -R "$here/share/icons/hicolor" "$data/icons/"  # merged into an existing hicolor
ln -sf "$here/xerosync-desktop" "$bin/xerosync-desktop"
ln -sf "$here/xerosync" "$bin/xerosync"
refresh

echo "xerosync-desktop is in your applications menu (Office), and xerosync and"
echo "xerosync-desktop are in $bin."
case ":$PATH:" in
    *":$bin:"*) ;;
    *) echo "$bin is not on your PATH: log out and in again, or add it to PATH." ;;
esac
