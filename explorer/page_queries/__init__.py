"""The questions behind each dashboard page (and the CLI commands that share them).

Each module turns one page's filters into Cypher, runs it through
`explorer.runner` and returns plain data; the Streamlit pages in
`explorer/app/app_pages/` only draw it. A new page's queries go here.
"""
