"""The Dinas dashboard: login, outlet overview and per-outlet pages, SVG charts and CSV exports."""
