"""The walkthrough: steps as data (`steps`), checks against the live graph
(`checks`) and the terminal twin (`terminal`). The dashboard page is
`explorer/app/app_pages/walkthrough.py`; see docs/walkthrough.md.
"""
