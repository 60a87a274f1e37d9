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

# Then three changes to moto's server that only save CPU, since every Region's calls queue behind one another for
# moto's one interpreter lock (a cProfile of moto 5.2.1's server answering 300 DescribeKey calls took 1.5 s):
# - the list of moto's own service packages, which the server reads from disk (one os.listdir and about 180
#   os.path.isdir) on every request to tell a request for a service by name from one for a host
#   (moto/moto_server/werkzeug_app.py get_backend_for_host, twice per request, calling moto/backends.py
#   list_of_moto_modules), is read once: 0.52 of the 1.5 s. The packages do not change while moto runs;
# - the names of a response class's methods, which moto lists with inspect.getmembers on every request
#   (moto/core/responses.py call_action calling moto/core/utils.py method_names_from_class), are listed once per
#   class: 0.1 s. Classes do not change while moto runs;
# - werkzeug's line per request on moto's output is not written (warnings and errors still are): 0.08 s.
# No answer changes.
try:
    import logging as _logging

    import moto.backends as _backends
    import moto.core.responses as _responses

    _list_of_moto_modules = _backends.list_of_moto_modules
    _modules = []

    def _cached_list_of_moto_modules():
        if not _modules:
            _modules.append(tuple(_list_of_moto_modules()))
        return _modules[0]

    _backends.list_of_moto_modules = _cached_list_of_moto_modules

    _method_names_from_class = _responses.method_names_from_class
    _method_names = {}

    def _cached_method_names_from_class(clazz):
        names = _method_names.get(clazz)
        if names is None:
            names = _method_names[clazz] = _method_names_from_class(clazz)
        return list(names)

    _responses.method_names_from_class = _cached_method_names_from_class
    _logging.getLogger("werkzeug").setLevel(_logging.WARNING)
except (ImportError, AttributeError) as e:
    sys.stderr.write("cmek-moto: cannot spare moto's server work in this moto (%s); install moto[server]==5.2.1\n" % e)
    sys.stderr.flush()
    os._exit(70)
sys.stderr.write("cmek-moto: KMS key pairs of symmetric keys are made on first use\n")
sys.stderr.flush()
