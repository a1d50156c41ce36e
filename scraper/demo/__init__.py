"""Offline demo and test support: a local web that stands in for the publishers' hosts."""
