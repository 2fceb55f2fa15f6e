"""KKMP POS test suite."""
