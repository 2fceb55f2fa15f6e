"""Shared helpers of the city server tests: live servers, devices with real keys and chains."""
