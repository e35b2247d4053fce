"""Everything Qt: application start, main window, pages, models, charts, tasks."""
