"""The release on a real web server: nginx and Apache negotiate each IRI's format with the shipped rules.

Each server is Debian's (``nginx-light``, ``apache2``; .ci/run installs them),
started by the test on a free loopback port with its own configuration in a
temporary folder, which includes the release's own rules
(``hosting/nginx-*.conf``, ``.htaccess``) unchanged.  The release sits in
``DOCROOT/ksm``, where ``https://w3id.org/ksm/...`` would be redirected.  A
server that is not installed is reported as skipped, with the reason.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
NGINX_CONF = """
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {release}/hosting/nginx-http.conf;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        root {docroot};
        include {release}/hosting/nginx-server.conf;
    }}
}}
"""
APACHE_MODULES = ("mpm_event", "authz_core", "mime", "dir", "rewrite", "headers", "unixd")
APACHE_CONF = """
ServerRoot {tmp}
ServerName localhost
Listen 127.0.0.1:{port}
PidFile {tmp}/httpd.pid
ErrorLog {tmp}/error.log
DefaultRuntimeDir {tmp}
{modules}
{user}
TypesConfig /etc/mime.types
DocumentRoot {docroot}
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory {docroot}>
    AllowOverride FileInfo Indexes
    Require all granted
</Directory>
<FilesMatch "^\\.ht">
    Require all denied
</FilesMatch>
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the web server stopped: {log.read_text() if log.exists() else process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the web server did not listen in 20 s")


@pytest.fixture(scope="module")
def docroot(graph) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    """A release in DOCROOT/ksm, readable by the servers' unprivileged workers."""
    from kg.release.publish import publish

    root = Path(tempfile.mkdtemp(prefix="ksm-www-"))
    os.chmod(root, 0o755)
    publish(root / "ksm", graph=graph)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _nginx(docroot: Path, tmp: Path, port: int) -> list[str]:
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if binary is None:
        pytest.skip("nginx is not installed (Debian: apt-get install nginx-light; .ci/run installs it)")
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, release=docroot / "ksm", docroot=docroot, port=port))
    return [binary, "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "error.log")]


def _apache(docroot: Path, tmp: Path, port: int) -> list[str]:
    binary = shutil.which("apache2") or ("/usr/sbin/apache2" if Path("/usr/sbin/apache2").exists() else None)
    modules = Path("/usr/lib/apache2/modules")
    if binary is None or not modules.is_dir():
        pytest.skip("Apache httpd is not installed (Debian: apt-get install apache2; .ci/run installs it)")
    loads = "\n".join(f"LoadModule {name}_module {modules}/mod_{name}.so" for name in APACHE_MODULES if (modules / f"mod_{name}.so").exists())
    user = "User nobody\nGroup nogroup" if os.geteuid() == 0 else ""
    conf = tmp / "httpd.conf"
    conf.write_text(APACHE_CONF.format(tmp=tmp, port=port, modules=loads, user=user, docroot=docroot))
    return [binary, "-f", str(conf), "-DFOREGROUND"]


@pytest.fixture(scope="module", params=["nginx", "apache"])
def site(request, docroot: Path, tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The URL of the release (``http://127.0.0.1:PORT/ksm/``) on a running server."""
    tmp = tmp_path_factory.mktemp(request.param)
    port = _free_port()
    command = (_nginx if request.param == "nginx" else _apache)(docroot, tmp, port)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(port, process, tmp / "error.log")
        yield f"http://127.0.0.1:{port}/ksm/"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def get(url: str, accept: str | None = None, language: str | None = None) -> tuple[int, dict[str, str], bytes]:
    headers = {k: v for k, v in (("Accept", accept), ("Accept-Language", language)) if v}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


@pytest.mark.parametrize("path", ["id/mechanism/network", "id/statement/study-tour-limitation-1", "ontology"])
@pytest.mark.parametrize("accept,language,suffix,media", [
    ("text/turtle", None, ".ttl", "text/turtle"),
    ("application/ld+json", None, ".jsonld", "application/ld+json"),
    ("application/rdf+xml", None, ".rdf", "application/rdf+xml"),
    ("application/n-triples", None, ".nt", "application/n-triples"),
    ("text/turtle;q=1.0, application/ld+json;q=0.5", None, ".ttl", "text/turtle"),
    (BROWSER, "fr-FR,fr;q=0.9,en;q=0.8", ".html", "text/html"),
    (BROWSER, "en-GB,en;q=0.9,fr;q=0.5", ".en.html", "text/html"),
    (BROWSER, "de-DE,de;q=0.9,en;q=0.8", ".en.html", "text/html"),
    ("text/html", None, ".html", "text/html"),
])
def test_an_iri_gives_the_file_of_the_negotiated_format(site: str, docroot: Path, path: str, accept: str,
                                                        language: str | None, suffix: str, media: str) -> None:
    status, headers, body = get(site + path, accept, language)
    assert status == 200, (status, body[:200])
    assert headers["content-type"].split(";")[0].strip() == media
    assert body == (docroot / "ksm" / (path + suffix)).read_bytes()
    assert "accept" in headers.get("vary", "").lower()


def test_rdf_from_the_server_is_the_resource(site: str) -> None:
    import rdflib

    _, headers, body = get(site + "id/mechanism/study-tour", "text/turtle")
    assert "utf-8" in headers["content-type"].lower()
    graph = rdflib.Graph().parse(data=body, format="turtle")
    study_tour = rdflib.URIRef("https://w3id.org/ksm/id/mechanism/study-tour")
    assert (study_tour, rdflib.SKOS.prefLabel, rdflib.Literal("Voyage d'études", lang="fr")) in graph
    # The ontology's hash IRIs are found in the one ontology document.
    _, _, onto = get(site + "ontology", "text/turtle")
    mechanism = rdflib.URIRef("https://w3id.org/ksm/ontology#Mechanism")
    assert (mechanism, rdflib.RDF.type, rdflib.OWL.Class) in rdflib.Graph().parse(data=onto, format="turtle")


def test_files_home_metadata_and_what_is_not_there(site: str, docroot: Path) -> None:
    release = docroot / "ksm"
    status, headers, body = get(site + "id/mechanism/network.ttl", BROWSER)
    assert status == 200 and headers["content-type"].startswith("text/turtle") and body == (release / "id/mechanism/network.ttl").read_bytes()
    assert get(site, BROWSER, "fr")[2] == (release / "index.html").read_bytes()
    assert get(site, BROWSER, "en")[2] == (release / "index.en.html").read_bytes()
    status, headers, body = get(site + ".well-known/void")
    assert status == 200 and headers["content-type"].startswith("text/turtle") and b"dcat:Catalog" in body
    status, headers, _ = get(site + "context.jsonld")
    assert status == 200 and headers["content-type"].startswith("application/ld+json")
    assert get(site + "dumps/ksm.nq")[1]["content-type"].startswith("application/n-quads")
    assert get(site + "id/mechanism/no-such-mechanism", "text/turtle")[0] == 404
    assert get(site + ".htaccess")[0] in (403, 404)
