"""Crisis detection: spikes of customers writing (or writing angrily) per topic and channel,
grouped into incidents and announced by email, webhook and a banner.

The method, its parameters and its measured false-alarm rate: ``docs/crisis-detection.md``.
"""
