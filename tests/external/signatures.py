"""Oracle: compare `avtale verify`'s verdicts with pyHanko's on a corpus of signed PDFs made here.

Run inside a virtualenv with pyhanko==0.38.0 (see signatures.sh):

    AVTALE_BIN=path/to/avtale python signatures.py UNSIGNED.pdf

UNSIGNED.pdf is a PDF built by avtale with unsigned signature fields signatar-1 and signatar-2.
The verifier is run as `avtale verify --format json FILE --trust CERT`; one case is signed with
`avtale sign`.

Compared per signature: intact, valid, trusted. pyHanko's `valid` is only the cryptographic check;
the verifier's `valid` also requires the signing time to lie in the signer certificate's validity,
so pyHanko's value is ANDed with that check here. Compared per file: modifications_allowed, which
for pyHanko is: every signature covers the entire file, or its diff analysis found at most
FORM_FILLING (no DocMDP is used in the corpus; pyHanko's docmdp_ok alone would also accept
ANNOTATIONS, which the project does not allow after a signature).
"""

import datetime
import logging
import io
import json
import os
import re
import subprocess
import sys
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import NoOpStampStyle
from pyhanko_certvalidator import ValidationContext

FIELDS = ('signatar-1', 'signatar-2')


def run(*cmd, env=None):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)


def unsigned_pdf() -> bytes:
    with open(sys.argv[1], 'rb') as f:
        return f.read()


LEAF_EXT = ['-addext', 'basicConstraints=critical,CA:FALSE',
            '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation']


def make_keys(tmp: str) -> dict:
    """OpenSSL: a root CA, RSA and P-256 signers under it, a self-signed signer, a PKCS#12 file.
    cryptography: an expired signer under the CA (OpenSSL 3.0 cannot back-date with req/x509)."""
    k = {n: os.path.join(tmp, n) for n in (
        'ca.key', 'ca.pem', 'rsa.key', 'rsa.pem', 'ec.key', 'ec.pem', 'self.key', 'self.pem',
        'old.key', 'old.pem', 'rsa.p12')}
    run('openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-sha256',
        '-keyout', k['ca.key'], '-out', k['ca.pem'], '-subj', '/C=NO/O=Oracle/CN=Oracle Root',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign')
    for name, alg in (('rsa', ['-newkey', 'rsa:2048']), ('ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'])):
        csr = os.path.join(tmp, name + '.csr')
        run('openssl', 'req', '-new', *alg, '-nodes', '-keyout', k[name + '.key'], '-out', csr,
            '-subj', f'/C=NO/O=Oracle/CN=Test Signatar {name.upper()}')
        ext = os.path.join(tmp, name + '.ext')
        with open(ext, 'w') as f:
            f.write('basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n')
        run('openssl', 'x509', '-req', '-in', csr, '-CA', k['ca.pem'], '-CAkey', k['ca.key'], '-CAcreateserial',
            '-days', '10', '-sha256', '-extfile', ext, '-out', k[name + '.pem'])
    run('openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '10', '-sha256',
        '-keyout', k['self.key'], '-out', k['self.pem'], '-subj', '/C=NO/CN=Self Signed', *LEAF_EXT)
    run('openssl', 'pkcs12', '-export', '-inkey', k['rsa.key'], '-in', k['rsa.pem'], '-certfile', k['ca.pem'],
        '-passout', 'pass:oracle', '-out', k['rsa.p12'])
    expired_cert(k)
    return k


def expired_cert(k: dict) -> None:
    with open(k['ca.key'], 'rb') as f:
        ca_key = serialization.load_pem_private_key(f.read(), None)
    with open(k['ca.pem'], 'rb') as f:
        ca = x509.load_pem_x509_certificate(f.read())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'Expired Signatar')]))
            .issuer_name(ca.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
            .sign(ca_key, hashes.SHA256()))
    with open(k['old.key'], 'wb') as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    with open(k['old.pem'], 'wb') as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))


def py_sign(data: bytes, field: str, key: str, cert: str, ca: str | None) -> bytes:
    if not data.endswith(b'\n'):
        data += b'\n'
    signer = signers.SimpleSigner.load(key, cert, ca_chain_files=(ca,) if ca else ())
    w = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    w._update_meta = lambda: None  # keep XMP and /Info as they are (PDF/A)
    meta = signers.PdfSignatureMetadata(field_name=field)
    out = signers.PdfSigner(meta, signer, stamp_style=NoOpStampStyle()).sign_pdf(w, existing_fields_only=True)
    return out.getvalue()


def writer(data: bytes) -> IncrementalPdfFileWriter:
    w = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    w._update_meta = lambda: None
    return w


def written(w: IncrementalPdfFileWriter) -> bytes:
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def change_content(data: bytes) -> bytes:
    w = writer(data)
    stream = w.add_object(generic.StreamObject(stream_data=b'0 0 m 300 300 l S'))
    w.add_stream_to_page(0, stream)
    return written(w)


def add_annotation(data: bytes) -> bytes:
    w = writer(data)
    page_ref = w.root['/Pages']['/Kids'][0]
    page = page_ref.get_object()
    annot = w.add_object(generic.DictionaryObject({
        generic.NameObject('/Type'): generic.NameObject('/Annot'),
        generic.NameObject('/Subtype'): generic.NameObject('/Text'),
        generic.NameObject('/Rect'): generic.ArrayObject([generic.NumberObject(n) for n in (10, 10, 30, 30)]),
        generic.NameObject('/Contents'): generic.TextStringObject('added after signing'),
    }))
    annots = page.get('/Annots')
    if annots is None:
        page['/Annots'] = generic.ArrayObject([annot])
        w.update_container(page)
    else:
        annots.append(annot)
        raw = page.raw_get('/Annots')
        if isinstance(raw, generic.IndirectObject):
            w.mark_update(raw)
        else:
            w.update_container(page)
    return written(w)


FAKE_CMS = bytes.fromhex('3003020101') + bytes(64)


def fake_signature(data: bytes) -> bytes:
    """An attacker's update: fills signatar-1 with a signature dictionary holding an invalid CMS
    blob, its byte range claiming the whole file."""
    w = writer(data)
    field = next(f.get_object() for f in w.root['/AcroForm']['/Fields']
                 if f.get_object().get('/T') == 'signatar-1')
    sig = generic.DictionaryObject({
        generic.NameObject('/Type'): generic.NameObject('/Sig'),
        generic.NameObject('/Filter'): generic.NameObject('/Adobe.PPKLite'),
        generic.NameObject('/SubFilter'): generic.NameObject('/ETSI.CAdES.detached'),
        generic.NameObject('/ByteRange'): generic.ArrayObject([generic.NumberObject(9999999999)] * 4),
        generic.NameObject('/Contents'): generic.ByteStringObject(FAKE_CMS),
    })
    field['/V'] = w.add_object(sig)
    w.update_container(field)
    out = written(w)
    m = list(re.finditer(rb'\[\s*9999999999(\s+9999999999){3}\s*\]', out))[-1]
    hex_at = out.lower().index(b'<' + FAKE_CMS.hex().encode())
    hex_end = hex_at + 2 + 2 * len(FAKE_CMS)
    numbers = b'[0 %d %d %d]' % (hex_at, hex_end, len(out) - hex_end)
    return out[:m.start()] + numbers.ljust(m.end() - m.start()) + out[m.end():]


def range_beyond_file(data: bytes) -> bytes:
    """The last signature's byte range claims 100 bytes more than the file."""
    m = list(re.finditer(rb'/ByteRange\s*\[([^\]]*)\]', data))[-1]
    a, b, c, d = (int(x) for x in m.group(1).split())
    text = b'%d %d %d %d' % (a, b, c, d + 100)
    width = m.end(1) - m.start(1)
    assert len(text) <= width
    return data[:m.start(1)] + text.ljust(width) + data[m.end(1):]


def flip_signed_byte(data: bytes) -> bytes:
    """Changes one byte of the header's version comment (inside every signed range)."""
    at = data.index(b'%PDF-') + 7
    return data[:at] + (b'4' if data[at:at + 1] != b'4' else b'3') + data[at + 1:]


def avtale_sign(data: bytes, tmp: str, k: dict, field: str) -> bytes:
    inp, out = os.path.join(tmp, 'sign-in.pdf'), os.path.join(tmp, 'sign-out.pdf')
    for p in (inp, out):
        if os.path.exists(p):
            os.remove(p)
    with open(inp, 'wb') as f:
        f.write(data)
    env = dict(os.environ, AVTALE_P12_PASSWORD='oracle')
    run(os.environ['AVTALE_BIN'], 'sign', inp, '--field', field, '--p12', k['rsa.p12'],
        '--password-env', 'AVTALE_P12_PASSWORD', '-o', out, env=env)
    with open(out, 'rb') as f:
        return f.read()


def corpus(base: bytes, tmp: str, k: dict) -> list:
    """(name, bytes, trust cert) cases."""
    ca = k['ca.pem']
    one = py_sign(base, 'signatar-1', k['rsa.key'], k['rsa.pem'], ca)
    two = py_sign(one, 'signatar-2', k['ec.key'], k['ec.pem'], ca)
    selfsigned = py_sign(base, 'signatar-1', k['self.key'], k['self.pem'], None)
    ours = avtale_sign(base, tmp, k, 'signatar-1')
    return [
        ('unsigned', base, ca),
        ('one-rsa', one, ca),
        ('two-rsa-ecdsa', two, ca),
        ('byte-changed', flip_signed_byte(one), ca),
        ('content-after-sig', change_content(one), ca),
        ('annotation-after-sig', add_annotation(one), ca),
        ('fake-sig-dict', fake_signature(base), ca),
        ('range-beyond-file', range_beyond_file(one), ca),
        ('expired-cert', py_sign(base, 'signatar-1', k['old.key'], k['old.pem'], ca), ca),
        ('self-signed-trusted', selfsigned, k['self.pem']),
        ('self-signed-untrusted', selfsigned, ca),
        ('avtale-sign', ours, ca),
        ('avtale-sign-then-pyhanko', py_sign(ours, 'signatar-2', k['ec.key'], k['ec.pem'], ca), ca),
        ('avtale-sign-untrusted', ours, k['self.pem']),
    ]


ALLOWED_LEVELS = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)


def pyhanko_verdict(data: bytes, trust: str) -> tuple[dict, bool]:
    """Per field: (intact, valid, trusted, note); and whether modifications are allowed."""
    root = load_cert_from_pemder(trust)
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    sigs, mods_ok, last_ok = {}, True, False
    try:
        embedded = reader.embedded_signatures
    except (SignatureValidationError, ValueError, KeyError, TypeError) as e:
        # pyHanko cannot even parse some signature: every filled field fails.
        filled = [name for name, value, _ in enumerate_sig_fields(reader) if value is not None]
        return {name: (False, False, False, f'unparsable: {type(e).__name__}') for name in filled}, False
    for sig in embedded:
        vc = ValidationContext(trust_roots=[root], allow_fetching=False)
        try:
            st = validate_pdf_signature(sig, signer_validation_context=vc)
        except (SignatureValidationError, ValueError, KeyError, TypeError) as e:
            sigs[sig.field_name] = (False, False, False, f'error: {type(e).__name__}')
            mods_ok = False
            continue
        cert = st.signing_cert
        when = st.signer_reported_dt or datetime.datetime.now(datetime.timezone.utc)
        in_period = cert.not_valid_before <= when <= cert.not_valid_after
        level = st.modification_level
        covered = st.coverage == SignatureCoverageLevel.ENTIRE_FILE
        mods_ok &= covered or (level in ALLOWED_LEVELS)
        note = f'{st.coverage.name}/{level.name if level else "-"}'
        valid = bool(st.intact) and bool(st.valid) and in_period
        sigs[sig.field_name] = (bool(st.intact), valid, bool(st.trusted), note)
        last_ok |= covered and valid
    # The project's rule: the last revision after the base must be covered by a valid signature.
    return sigs, mods_ok and (last_ok or not sigs)


def our_verdict(path: str, trust: str) -> tuple[dict, bool]:
    proc = subprocess.run([os.environ['AVTALE_BIN'], 'verify', '--format', 'json', path, '--trust', trust],
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f'verifier failed ({proc.returncode}): {proc.stderr.strip()}')
    report = json.loads(proc.stdout)
    sigs = {s['field']: (s['intact'], s['valid'], s['trusted'], '; '.join(s['reasons'])[:60])
            for s in report['signatures']}
    return sigs, report['modifications_allowed']


def pades_bb_problems(data: bytes, field: str) -> list:
    """What keeps the signature in `field` from being PAdES baseline B-B (ETSI EN 319 142-1
    6.3): the CAdES sub-filter, and signed attributes content-type, message-digest and a
    signing-certificate-v2 naming the signer's certificate, with no signing-time."""
    import hashlib
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    sig = next(s for s in reader.embedded_signatures if s.field_name == field)
    problems = []
    if sig.sig_object.get('/SubFilter') != '/ETSI.CAdES.detached':
        problems.append(f"sub-filter {sig.sig_object.get('/SubFilter')}")
    attrs = {a['type'].native: a for a in sig.signer_info['signed_attrs']}
    for needed in ('content_type', 'message_digest', 'signing_certificate_v2'):
        if needed not in attrs:
            problems.append(f'no {needed} attribute')
    if 'signing_time' in attrs:
        problems.append('a signing-time attribute (B-B puts the time in /M)')
    if 'signing_certificate_v2' in attrs:
        ess = attrs['signing_certificate_v2']['values'][0]['certs'][0]
        algo = ess['hash_algorithm']['algorithm'].native if ess['hash_algorithm'] else 'sha256'
        digest = hashlib.new(algo, sig.signer_cert.dump()).digest()
        if ess['cert_hash'].native != digest:
            problems.append('signing-certificate-v2 does not name the signer certificate')
    return problems


def flags(v) -> str:
    return ''.join(c if ok else '-' for c, ok in zip('IVT', v[:3]))


def main() -> int:
    if 'AVTALE_BIN' not in os.environ or len(sys.argv) != 2:
        print('usage: AVTALE_BIN=path/to/avtale signatures.py UNSIGNED.pdf', file=sys.stderr)
        return 2
    logging.disable(logging.CRITICAL)  # pyHanko logs every failed diff analysis with a traceback
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        k = make_keys(tmp)
        cases = corpus(unsigned_pdf(), tmp, k)
        print(f'{"file":24} {"field":11} {"pyHanko":8} {"ours":6} {"mods py/ours":13} {"result":6} notes')
        for name, data, trust in cases:
            path = os.path.join(os.environ.get('KEEP_CORPUS') or tmp, name + '.pdf')
            with open(path, 'wb') as f:
                f.write(data)
            py, py_mods = pyhanko_verdict(data, trust)
            ours, our_mods = our_verdict(path, trust)
            ok = py_mods == our_mods and set(py) == set(ours) and all(py[f][:3] == ours[f][:3] for f in py)
            passed, failed = passed + ok, failed + (not ok)
            mods = f'{py_mods!s:5}/{our_mods!s:5}'
            for field in sorted(set(py) | set(ours)) or ['-']:
                p, o = py.get(field, (False,) * 3 + ('absent',)), ours.get(field, (False,) * 3 + ('absent',))
                print(f'{name:24} {field:11} {flags(p):8} {flags(o):6} {mods:13} {"ok" if ok else "FAIL":6} '
                      f'{p[3]} | {o[3]}')
        signed_by_avtale = next(data for name, data, _ in cases if name == 'avtale-sign')
        problems = pades_bb_problems(signed_by_avtale, 'signatar-1')
        ok = not problems
        passed, failed = passed + ok, failed + (not ok)
        print(f'{"avtale-sign PAdES B-B":24} {"signatar-1":11} {"":8} {"":6} {"":13} {"ok" if ok else "FAIL":6} '
              f'{"; ".join(problems)}')
    print(f'signatures: {passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
