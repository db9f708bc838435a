"""Loading AZURE_CLIENT_CERTIFICATE_PATH: key, certificate and the thumbprint Entra shows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from reconciler.auth.sources import CERT_PASSWORD_VAR, CERT_PATH_VAR
from reconciler.errors import AuthError
from reconciler.logsetup import register_secret

_PFX_HINT = "a .pfx/.p12 file or PEM with the private key and certificate"


@dataclass(frozen=True, repr=False)
class ClientCertificate:
    private_key_pem: str  # unencrypted PKCS#8, held in memory only
    #: SHA-1 thumbprint, upper-case hex: what the app registration's Certificates tab lists
    #: and what msal sends as the assertion's `x5t` header.
    thumbprint: str

    def __repr__(self) -> str:  # never show the key
        return f"ClientCertificate({self.thumbprint})"


def load_client_certificate(path: Path, password: str | None) -> ClientCertificate:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AuthError(f"{CERT_PATH_VAR}: cannot read {path}: {exc.strerror or exc}") from None
    if password:
        register_secret(password)
    key, cert = (
        _from_pem(data, password, path)
        if b"-----BEGIN" in data
        else _from_pfx(data, password, path)
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    # Entra identifies certificate credentials by SHA-1 thumbprint (x5t); not a security use.
    thumbprint = cert.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303
    return ClientCertificate(pem, thumbprint)


def _from_pem(
    data: bytes, password: str | None, path: Path
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = _rsa(_pem_private_key(data, password, path), path)
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise AuthError(f"{CERT_PATH_VAR}: {path} holds no PEM certificate") from None
    return key, _matching(certs, key, path)


def _pem_private_key(data: bytes, password: str | None, path: Path) -> object:
    secret = password.encode() if password else None
    try:
        return serialization.load_pem_private_key(data, secret)
    except TypeError:
        if secret is None:
            raise AuthError(
                f"{CERT_PATH_VAR}: the private key in {path} is encrypted; set {CERT_PASSWORD_VAR}"
            ) from None
        # A password for an unencrypted key is harmless: ignore it rather than fail.
        return serialization.load_pem_private_key(data, None)
    except ValueError:
        raise AuthError(
            f"{CERT_PATH_VAR}: cannot read the private key in {path} (wrong "
            f"{CERT_PASSWORD_VAR}, or no key in the file? Expected {_PFX_HINT})"
        ) from None


def _from_pfx(
    data: bytes, password: str | None, path: Path
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    try:
        key, cert, _chain = pkcs12.load_key_and_certificates(
            data, password.encode() if password else None
        )
    except ValueError:
        raise AuthError(
            f"{CERT_PATH_VAR}: cannot read {path} (wrong {CERT_PASSWORD_VAR}? Expected {_PFX_HINT})"
        ) from None
    if key is None or cert is None:
        raise AuthError(f"{CERT_PATH_VAR}: {path} must hold both the private key and certificate")
    return _rsa(key, path), cert


def _rsa(key: object, path: Path) -> rsa.RSAPrivateKey:
    if not isinstance(key, rsa.RSAPrivateKey):
        raise AuthError(f"{CERT_PATH_VAR}: the key in {path} is not RSA; Entra ID needs RSA")
    return key


def _matching(
    certs: list[x509.Certificate], key: rsa.RSAPrivateKey, path: Path
) -> x509.Certificate:
    # A PEM bundle may carry the issuing chain too; the credential is the one for our key.
    wanted = key.public_key().public_numbers()
    for cert in certs:
        public = cert.public_key()
        if isinstance(public, rsa.RSAPublicKey) and public.public_numbers() == wanted:
            return cert
    raise AuthError(f"{CERT_PATH_VAR}: no certificate in {path} matches its private key")
