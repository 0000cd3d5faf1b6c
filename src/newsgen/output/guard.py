"""Where output may go, and the mark on the folders newsgen makes: a folder without the
mark is never deleted, and an output folder that would replace sources is refused."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from newsgen.errors import BuildError
from newsgen.messages import _

log = logging.getLogger(__name__)

MARKER = ".newsgen-output"
MARKER_TEXT = "This folder is made by newsgen and replaced on every build.\n"
SOURCE_FOLDERS = ("content", "templates", "static")


def check_output(site_dir: Path, output: Path, force: bool = False) -> None:
    """Refuse an output folder whose replacement would destroy sources or foreign files."""
    site = site_dir.resolve()
    out = output.resolve()
    shown = _show(output, site_dir)
    if out == Path(out.anchor):
        raise BuildError(_("output '{output}' is the root folder; choose a folder of its own, "
                           "like public", output=shown))
    if out == Path.home().resolve():
        raise BuildError(_("output '{output}' is your home folder; choose a folder of its own, "
                           "like public", output=shown))
    if out == site or out in site.parents:
        raise BuildError(_("output '{output}' would replace the site folder itself; "
                           "use a folder inside it, like public", output=shown))
    for name in (*SOURCE_FOLDERS, "site.yaml"):
        source = (site / name).resolve()
        if out == source or source in out.parents:
            raise BuildError(_("output '{output}' is inside the site's {name}; "
                               "use a folder of its own, like public", output=shown, name=name))
    if out.exists() and not out.is_dir():
        raise BuildError(_("output '{output}' is a file, not a folder", output=shown))
    if out.is_dir() and not (out / MARKER).is_file() and any(out.iterdir()) and not force:
        raise BuildError(_("output '{output}' has files that newsgen did not make; empty it, "
                           "choose another output, or pass --force to replace it",
                           output=shown))


def _show(path: Path, site_dir: Path) -> str:
    try:
        return path.resolve().relative_to(site_dir.resolve()).as_posix()
    except ValueError:
        return str(path)


def remove_ours(path: Path) -> None:
    """Delete a folder newsgen made (it carries the marker); leave anything else alone.

    An empty folder is taken too: it is what a deletion killed after the marker
    went (the marker goes last) leaves behind, and it holds nothing to lose.
    """
    if path.is_dir() and not path.is_symlink() and ((path / MARKER).is_file()
                                                     or not any(path.iterdir())):
        delete_marked(path)
    elif path.exists() or path.is_symlink():
        raise BuildError(_("'{path}' is in the way and newsgen did not make it; remove it by "
                           "hand", path=str(path)))


def delete_marked(path: Path) -> None:
    """Delete a marked folder with the marker last, so a kill midway leaves it still marked.

    A symlink is removed as a link: what it points to is never walked into.
    """
    if path.is_symlink():
        path.unlink()
        return
    for child in path.iterdir():
        if child.name == MARKER:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    (path / MARKER).unlink(missing_ok=True)
    path.rmdir()


