"""`conbini contracts generate|check`: write or verify the generated contract documents."""

from pathlib import Path

from contracts.documents import render_documents


def stale_documents(root: Path) -> list[str]:
    """Return the generated documents that are missing, different or no longer generated."""
    wanted = render_documents()
    stale = [
        path
        for path, text in wanted.items()
        if not (root / path).is_file() or (root / path).read_text(encoding="utf-8") != text
    ]
    schema_dir = root / "contracts" / "schemas"
    if schema_dir.is_dir():
        stale += [
            str(path.relative_to(root))
            for path in sorted(schema_dir.glob("*.json"))
            if str(path.relative_to(root)) not in wanted
        ]
    return stale


def write_documents(root: Path) -> list[str]:
    """Write every generated document under `root`, remove orphans; return what changed."""
    changed = stale_documents(root)
    wanted = render_documents()
    for path in changed:
        target = root / path
        if path in wanted:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(wanted[path], encoding="utf-8")
        else:
            target.unlink()
    return changed
