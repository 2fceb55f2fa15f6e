"""Printing: receipt documents to ESC/POS bytes (python-escpos) and the connections that carry them."""
