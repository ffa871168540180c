"""The server's error messages, in English and French.

Protocol clients get the English text; a page shows the message in the
page's language.  A message is a key and its arguments, so that the worker
processes (which know no language) and the pages share one wording.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MESSAGES: dict[str, tuple[str, str]] = {
    "syntax": ("bad SPARQL query: {detail}", "requête SPARQL invalide : {detail}"),
    "failed": ("query failed: {detail}", "la requête a échoué : {detail}"),
    "engine": ("the query engine could not answer this query: {detail}", "le moteur de requêtes n'a pas pu répondre à cette requête : {detail}"),
    "service": ("SERVICE is not allowed on this endpoint: it makes no requests to other servers",
                "SERVICE n'est pas permis sur ce point d'accès : il n'envoie aucune requête à d'autres serveurs"),
    "unchecked": ("this query could not be checked for SERVICE ({detail}); rewrite it in plain SPARQL 1.1",
                  "cette requête n'a pas pu être vérifiée (SERVICE) : {detail} ; écrivez-la en SPARQL 1.1 simple"),
    "rows": ("the answer has more than {limit} rows (this endpoint's limit); add a LIMIT (and OFFSET to page)",
             "la réponse a plus de {limit} lignes (la limite de ce point d'accès) ; ajoutez un LIMIT (et OFFSET pour paginer)"),
    "triples": ("the answer has more than {limit} triples (this endpoint's limit); narrow the query or add a LIMIT",
                "la réponse a plus de {limit} triplets (la limite de ce point d'accès) ; restreignez la requête ou ajoutez un LIMIT"),
    "bytes": ("the answer is larger than {limit} bytes (this endpoint's limit); narrow the query or add a LIMIT",
              "la réponse dépasse {limit} octets (la limite de ce point d'accès) ; restreignez la requête ou ajoutez un LIMIT"),
    "memory": ("the query needed more memory than this endpoint allows", "la requête demandait plus de mémoire que ce point d'accès n'en permet"),
    "stopped": ("the query worker stopped; try a smaller query", "le processus de requête s'est arrêté ; essayez une requête plus petite"),
    "timeout": ("the query ran longer than this endpoint's time limit of {limit} s",
                "la requête a duré plus que la limite de ce point d'accès ({limit} s)"),
    "busy": ("no query worker became free within {limit} s; the server is busy",
             "aucun processus de requête ne s'est libéré en {limit} s ; le serveur est occupé"),
    "not_acceptable": ("none of the requested media types can be produced; this answer is available as: {offered}",
                       "aucun des types de média demandés ne peut être produit ; cette réponse existe en : {offered}"),
    "unknown_iri": ("{iri}: nothing is known about this IRI", "{iri} : rien n'est connu de cet IRI"),
    "not_found": ("{path}: there is no such page here", "{path} : cette page n'existe pas ici"),
    "unknown_format": ("unknown format .{fmt}: use {offered}", "format .{fmt} inconnu : utilisez {offered}"),
    "missing": ("query '{name}' needs {missing}", "la requête « {name} » demande {missing}"),
    "bad_value": ("{detail}", "{detail}"),
}


@dataclass(frozen=True)
class Message:
    """One message: its key and arguments, rendered in either language."""

    key: str
    args: dict[str, str] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` (``fr`` or ``en``).

        >>> print(Message("rows", {"limit": "500"}).text("fr"))
        la réponse a plus de 500 lignes (la limite de ce point d'accès) ; ajoutez un LIMIT (et OFFSET pour paginer)
        """
        english, french = MESSAGES[self.key]
        return (french if lang == "fr" else english).format(**self.args)
