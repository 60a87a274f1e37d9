# Loaded by moto_server's Python as `sitecustomize` (MotoServer puts a copy on PYTHONPATH), so it applies however
# moto_server is started (console script, pyenv shim, wrapper). One change to moto: the RSA key pair moto gives every
# symmetric (and HMAC) KMS key is generated when it is first used, not inside CreateKey. Asymmetric keys (RSA_*,
# ECC_*) are made at CreateKey as before, so moto's validation of their key spec is unchanged.
#
# Why: moto 5.2.1 gives every key a private key at CreateKey, and for SYMMETRIC_DEFAULT it falls through to an
# RSA-2048 key pair (moto/kms/utils.py generate_private_key: "else: return RSAPrivateKey(key_size=2048)", called
# from moto/kms/models.py Key.__init__). Generating it costs 10 to 80 ms of CPU in moto's one Python process, and
# the Regions' simultaneous CreateKey calls queue behind one another for it. Real KMS has no such cost on the
# caller's path: a symmetric key has no key pair at all (GetPublicKey and Sign refuse it), and each Region is its
# own service. No answer changes: a key that Sign, Verify or GetPublicKey uses gets the same kind of key pair, once,
# on first use, and a replica (moto copies the Key object) shares it as before.
#
# MotoServer reads the marker line below from moto's output and refuses to run the tests without it; if this moto
# lacks the function replaced here, the process exits at once with the reason (README: moto[server]==5.2.1).
import os
import sys
import threading

try:
    import moto.kms.models as _kms_models
    import moto.kms.utils as _kms_utils

    _generate = _kms_utils.generate_private_key
    _kms_models.generate_private_key  # noqa: B018 - the name Key.__init__ calls
except (ImportError, AttributeError) as e:
    sys.stderr.write("cmek-moto: cannot make KMS key pairs lazy in this moto (%s); install moto[server]==5.2.1\n" % e)
    sys.stderr.flush()
    os._exit(70)


class LazyPrivateKey:
    """Stands for moto's AbstractPrivateKey; the real one is made on the first attribute read."""

    __slots__ = ("_key_spec", "_key", "_lock")

    def __init__(self, key_spec):
        self._key_spec = key_spec
        self._key = None
        self._lock = threading.Lock()

    def _real(self):
        with self._lock:
            if self._key is None:
                self._key = _generate(self._key_spec)
            return self._key

    def __getattr__(self, name):
        # Only called for names the proxy lacks: sign, verify, public_key, private_key, key_size, ...
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._real(), name)


def _generate_private_key(key_spec):
    if key_spec.startswith("RSA_") or key_spec.startswith("ECC_"):
        return _generate(key_spec)
    return LazyPrivateKey(key_spec)


_kms_models.generate_private_key = _generate_private_key
sys.stderr.write("cmek-moto: KMS key pairs of symmetric keys are made on first use\n")
sys.stderr.flush()
