"""The cashier's desktop UI (PySide6 Qt Widgets): the only package that imports Qt; it calls services."""
