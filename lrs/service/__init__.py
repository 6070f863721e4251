"""The LRS protocol, HTTP-free: statements (statements.py) and documents (documents.py).

The web layer and the in-process sink both call these functions, so there is one set of rules.
"""

from lrs.service.statements import attachments_of, get_statement, put_statement, query_statements, store_statements

__all__ = ["attachments_of", "get_statement", "put_statement", "query_statements", "store_statements"]
