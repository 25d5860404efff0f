"""Sign every signature field of a PDF with pyHanko, and validate the signatures.

Used by tests/external/sign.sh, inside a virtualenv with pyhanko==0.38.0.

    python sign_fields.py fields   IN.pdf
    python sign_fields.py sign     IN.pdf OUT.pdf KEY.pem CERT.pem
    python sign_fields.py validate IN.pdf CERT.pem

The signing keeps PDF/A intact:
* NoOpStampStyle: no appearance stream is generated, the field keeps the empty /AP /N that
  avtale put there (a generated stamp would use the non-embedded font /F1);
* no metadata update: pyHanko re-serialises the XMP and touches /Info on every incremental
  write, which breaks the PDF/A extension schemas. pyHanko 0.38.0 has no public option for
  this; BasePdfFileWriter._update_meta is the hook (suggested in pyHanko issue #223);
* the input must end in an end-of-line, so that the appended objects start on a new line.
"""

import io
import sys

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.stamp import NoOpStampStyle
from pyhanko_certvalidator import ValidationContext


def field_names(data: bytes) -> list[str]:
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    return [name for name, _value, _ref in enumerate_sig_fields(reader)]


def cmd_fields(path: str) -> int:
    with open(path, 'rb') as f:
        names = field_names(f.read())
    for n in names:
        print(n)
    return 0 if names else 1


def cmd_sign(inp: str, out: str, key: str, cert: str) -> int:
    signer = signers.SimpleSigner.load(key, cert)
    if signer is None:
        print(f'sign_fields: cannot load {key} / {cert}', file=sys.stderr)
        return 2
    with open(inp, 'rb') as f:
        data = f.read()
    names = field_names(data)
    if not names:
        print(f'sign_fields: {inp} has no signature fields', file=sys.stderr)
        return 1
    for name in names:
        if not data.endswith(b'\n'):
            print(f'sign_fields: input for {name} does not end in an EOL', file=sys.stderr)
            return 1
        w = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        w._update_meta = lambda: None  # keep XMP and /Info as they are (PDF/A)
        meta = signers.PdfSignatureMetadata(field_name=name)
        pdf_signer = signers.PdfSigner(meta, signer, stamp_style=NoOpStampStyle())
        signed = pdf_signer.sign_pdf(w, existing_fields_only=True)
        new = signed.getvalue()
        if not new.startswith(data):
            print(f'sign_fields: signing {name} was not an incremental update', file=sys.stderr)
            return 1
        data = new
        print(f'signed {name}')
    with open(out, 'wb') as f:
        f.write(data)
    return 0


def cmd_validate(path: str, cert: str) -> int:
    root = load_cert_from_pemder(cert)
    with open(path, 'rb') as f:
        data = f.read()
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    sigs = {s.field_name: s for s in reader.embedded_signatures}
    bad = 0
    for name in field_names(data):
        sig = sigs.get(name)
        if sig is None:
            print(f'field {name}: NOT SIGNED')
            bad += 1
            continue
        vc = ValidationContext(trust_roots=[root], allow_fetching=False)
        st = validate_pdf_signature(sig, signer_validation_context=vc)
        ok = st.bottom_line and st.intact and st.valid and st.trusted
        verdict = 'VALID' if ok else 'INVALID'
        print(f'field {name}: {verdict} ({st.summary()}; signer {st.signing_cert.subject.human_friendly})')
        if not ok:
            print(st.pretty_print_details(), file=sys.stderr)
            bad += 1
    if not sigs:
        print('no signatures')
        return 1
    return 1 if bad else 0


def main(argv: list[str]) -> int:
    cmds = {'fields': (cmd_fields, 1), 'sign': (cmd_sign, 4), 'validate': (cmd_validate, 2)}
    if len(argv) < 2 or argv[1] not in cmds or len(argv) - 2 != cmds[argv[1]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    fn, _ = cmds[argv[1]]
    return fn(*argv[2:])


if __name__ == '__main__':
    sys.exit(main(sys.argv))
