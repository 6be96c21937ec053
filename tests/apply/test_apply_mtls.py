"""Mutual TLS: the tak-web submitter presents the configured client certificate and verifies the server."""

from __future__ import annotations

import datetime as dt
import ssl
import subprocess
from pathlib import Path

import pytest
from apply_plans import SCENARIOS, plan
from fake_takweb import FakeTakWeb

from tak_gitops.adapters.submit import TakWebSubmitter
from tak_gitops.core.config import EnvironmentConfig, OrderConfig, SubmitterConfig, TakApiTarget
from tak_gitops.core.orders import build_orders
from tak_gitops.errors import SubmitError

CREDS = {"TAK_WEB_USERNAME": "tak-gitops", "TAK_WEB_PASSWORD": "s3cret"}
ENV = EnvironmentConfig(plattform="NTJP-PROD", tak_api=TakApiTarget(platform="NTJP", environment="PROD"))
EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A test CA, a server certificate for 127.0.0.1 and a client (function) certificate, made with openssl."""
    d = tmp_path_factory.mktemp("pki")
    (d / "ca.ext").write_text(
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n"
    )
    (d / "leaf.ext").write_text(
        "basicConstraints=critical,CA:FALSE\nsubjectAltName=IP:127.0.0.1\n"
        "authorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n"
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n"
    )
    openssl("req", "-new", *EC, "-keyout", "ca.key", "-out", "ca.csr", "-subj", "/CN=Test CA", cwd=d)
    openssl(
        "x509",
        "-req",
        "-in",
        "ca.csr",
        "-signkey",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-extfile",
        "ca.ext",
        cwd=d,
    )
    for name, cn in (("server", "127.0.0.1"), ("client", "SE5565594230-TAKGITOPS")):
        openssl("req", "-new", *EC, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={cn}", cwd=d)
        openssl(
            "x509",
            "-req",
            "-in",
            f"{name}.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            f"{name}.pem",
            "-days",
            "2",
            "-extfile",
            "leaf.ext",
            cwd=d,
        )
    return d


def server_context(pki: Path) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki / "server.pem", pki / "server.key")
    ctx.load_verify_locations(pki / "ca.pem")
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def test_client_certificate_is_presented(pki: Path) -> None:
    now = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
    order = build_orders(plan(SCENARIOS["consumer-authorization"]), OrderConfig(), ENV, now=now)[0]
    with FakeTakWeb(tls=server_context(pki)) as fake:
        cfg = SubmitterConfig(
            kind="tak-web",
            url=fake.base_url,
            client_cert="client.pem",
            client_key="client.key",
            ca_bundle="ca.pem",
            timeout_seconds=5,
        )
        sub = TakWebSubmitter(cfg, base_dir=pki, environ=CREDS)
        sub.open()
        outcome = sub.submit(order.order_id, order.idempotency_key, order.document)
        sub.close()
        assert outcome.result == "submitted"
        assert fake.client_subjects == ["SE5565594230-TAKGITOPS", "SE5565594230-TAKGITOPS"]
        # without the client certificate the handshake fails and nothing reaches TAK-web
        bare = TakWebSubmitter(
            SubmitterConfig(kind="tak-web", url=fake.base_url, ca_bundle="ca.pem", max_attempts=1, timeout_seconds=5),
            base_dir=pki,
            environ=CREDS,
        )
        with pytest.raises(SubmitError) as err:
            bare.open()
        assert str(err.value).endswith(
            "(if TAK-web asks for a client certificate, check submit.client_cert and submit.client_key)"
        )
        assert len(fake.received) == 1
