#!/bin/sh
# Install KPI Desk for you alone, without an administrator password:
#   - the application goes to ~/.local/opt/kpidesk (and the command `kpidesk` to ~/.local/bin);
#   - KPI Desk appears in your applications menu, with its icon;
#   - double-clicking a .kpidesk file opens it in KPI Desk.
# Run it again from a newer KPI Desk folder to update. `./install.sh --uninstall` removes it all.
# Your companies and settings (~/.local/share/KPI Desk, ~/.config/KPI Desk) are never touched.
set -eu

here=$(cd "$(dirname "$0")" && pwd -P)
data_home=${XDG_DATA_HOME:-$HOME/.local/share}
dest=${KPIDESK_INSTALL_DIR:-$HOME/.local/opt/kpidesk}
bin_dir=$HOME/.local/bin
desktop=$data_home/applications/kpidesk.desktop
mime=$data_home/mime/packages/kpidesk.xml
icons=$data_home/icons/hicolor

is_kpidesk() { [ -x "$1/kpidesk" ] && [ -d "$1/_internal" ]; }

refresh() {
    if command -v update-mime-database >/dev/null 2>&1; then
        update-mime-database "$data_home/mime" >/dev/null 2>&1 || true
    fi
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database "$data_home/applications" >/dev/null 2>&1 || true
    fi
    # Refresh an icon cache only where one exists: a new cache would hide other programs' icons.
    if [ -f "$icons/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -f -t "$icons" >/dev/null 2>&1 || true
    fi
    touch "$icons" 2>/dev/null || true
}

uninstall() {
    if is_kpidesk "$dest"; then
        rm -rf "$dest"
    fi
    rm -f "$desktop" "$mime" "$icons"/*/apps/kpidesk.png "$icons"/scalable/apps/kpidesk.svg
    if [ -L "$bin_dir/kpidesk" ]; then
        rm -f "$bin_dir/kpidesk"
    fi
    refresh
    echo "KPI Desk is uninstalled."
    echo "Your companies are still in: $data_home/KPI Desk/KPI Desk"
}

install() {
    if ! is_kpidesk "$here"; then
        echo "install.sh: run me from the KPI Desk folder (the one holding 'kpidesk' and '_internal')." >&2
        exit 1
    fi
    case "$dest" in
        *[\"\$\`\\]*) echo "install.sh: cannot install into a folder whose name holds \" \$ \` or \\: $dest" >&2; exit 1 ;;
    esac
    current=$(cd "$dest" 2>/dev/null && pwd -P || true)
    if [ "$here" != "$current" ]; then
        if [ -e "$dest" ] && ! is_kpidesk "$dest"; then
            echo "install.sh: $dest exists and is not KPI Desk; not replacing it." >&2
            exit 1
        fi
        mkdir -p "$(dirname "$dest")"
        rm -rf "$dest.new"
        cp -R "$here" "$dest.new"
        rm -rf "$dest"
        mv "$dest.new" "$dest"
    fi

    mkdir -p "$data_home/applications" "$data_home/mime/packages" "$bin_dir"
    escaped=$(printf '%s\n' "$dest" | sed 's/[\\&|]/\\&/g')
    sed "s|^Exec=.*|Exec=\"$escaped/kpidesk-open\" %f|" "$dest/kpidesk.desktop" > "$desktop"
    chmod 644 "$desktop"
    cp "$dest/share/mime/packages/kpidesk.xml" "$mime"
    for dir in "$dest"/share/icons/hicolor/*/apps; do
        size=$(basename "$(dirname "$dir")")
        mkdir -p "$icons/$size/apps"
        cp "$dir"/kpidesk.* "$icons/$size/apps/"
    done
    if [ ! -e "$bin_dir/kpidesk" ] || [ -L "$bin_dir/kpidesk" ]; then
        ln -sfn "$dest/kpidesk" "$bin_dir/kpidesk"
    fi
    refresh
    echo "$("$dest/kpidesk" --version | sed 's/^kpidesk/KPI Desk/') is installed in $dest."
    echo "Open it from your applications menu (search for \"KPI Desk\")."
    echo "Your companies will be kept in: $data_home/KPI Desk/KPI Desk"
}

case "${1:-}" in
    "") install ;;
    --uninstall) uninstall ;;
    -h|--help) sed -n '2,7s/^# \{0,1\}//p' "$0" ;;
    *) echo "usage: $0 [--uninstall]" >&2; exit 2 ;;
esac
