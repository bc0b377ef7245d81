"""Registers as offices keep them, and tables 三 and 四 counted from them."""
