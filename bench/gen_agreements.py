#!/usr/bin/env python3
"""Write N synthetic, valid agreement files into DIR (for benchmarks).

usage: gen_agreements.py DIR [N] [--mixed] [--services 2]

All agreements are members of one segment in bokmål, like a real segment. With --mixed they
take turns between bokmål, nynorsk and English and between segment members and stand-alone
agreements: six different sets of appendices, interleaved. With --services 2 every agreement
asks for a second sharing service (the latest available tax settlement, with its own terms
of use), so each agreement has more pages of its own and more appendices.
"""
import os
import sys

WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2]


def orgnr(seed: int) -> str:
    """A 9-digit organisation number with a valid mod-11 check digit."""
    n = seed
    while True:
        body = f"3{n % 10_000_000:07d}"
        r = sum(w * int(d) for w, d in zip(WEIGHTS, body)) % 11
        check = 0 if r == 0 else 11 - r
        if check != 10:
            return body + str(check)
        n += 7919


TEMPLATE = """format = 1

[avtale]
id = "KA-BENCH-{i:06d}"
spraak = "{spraak}"
status = "til_signering"
dato = 2026-03-02
testdata = true

[virksomhet]
navn = "Syntetisk kommune {i}"
organisasjonsnummer = "{orgnr}"
organisasjonsform = "KOMM"
postadresse = {{ adresse = "Postboks {i}", postnummer = "{post:04d}", poststed = "Prøvested" }}
varslingsadresse = "postmottak{i}@kommune.example"

[[kontakt]]
rolle = "forretning"
navn = "Kari Nordmann"
epost = "kari{i}@kommune.example"
telefon = "+47 912 34 567"

[[kontakt]]
rolle = "teknisk"
navn = "Ola Nordmann"
epost = "ola{i}@kommune.example"

[[signatar]]
navn = "Per Hansen"
tittel = "Ordfører"
fullmakt = "ordfoerer"

{segment}
[[databehandler]]
navn = "Oppvekstdata AS"
organisasjonsnummer = "318662053"
rolle = "systemleverandoer"
databehandleravtale = 2025-11-03
tjenester = ["summertskattegrunnlag"{second_dp}]

[vilkaar]
delingsvilkaar = "2022-05"

[[tjeneste]]
id = "summertskattegrunnlag"
rettighetspakke = "kommuneforeldrebetaling"
bruksvilkaar = "2024-09"
formaal = "Beregne redusert foreldrebetaling i barnehage og SFO"
tilkobling = "leverandoer"

[tjeneste.utleveringsgrunnlag]
type = "hjemmel"
henvisning = "skatteforvaltningsloven § 3-3"

[tjeneste.behandlingsgrunnlag]
type = "lov"
henvisning = "barnehageloven § 41"
{second}"""

SECOND_SERVICE = """
[[tjeneste]]
id = "sistetilgjengeligeskatteoppgjoer"
rettighetspakke = "kommuneforeldrebetaling"
bruksvilkaar = "2024-09"
formaal = "Fastsette foreldrebetaling ut fra siste skatteoppgjør når inntekten har endret seg"
tilkobling = "leverandoer"

[tjeneste.utleveringsgrunnlag]
type = "hjemmel"
henvisning = "skatteforvaltningsloven § 3-3"

[tjeneste.behandlingsgrunnlag]
type = "lov"
henvisning = "barnehageloven § 41"
"""


SEGMENT = """[segment]
id = "kommunal-sektor"
ansvarlig = { navn = "Kommunenes Delingsforum SA", organisasjonsnummer = "317041128" }
"""


def main() -> None:
    argv = sys.argv[1:]
    if "-h" in argv or "--help" in argv:
        print(__doc__.strip())
        return
    if not argv:
        sys.exit(__doc__.strip())
    services = 1
    if "--services" in argv:
        k = argv.index("--services")
        services = int(argv[k + 1])
        del argv[k : k + 2]
    if services not in (1, 2):
        sys.exit("--services is 1 or 2")
    args = [a for a in argv if not a.startswith("--")]
    mixed = "--mixed" in argv
    out = args[0]
    n = int(args[1]) if len(args) > 1 else 5000
    os.makedirs(out, exist_ok=True)
    for i in range(n):
        spraak = ["nb", "nn", "en"][i % 3] if mixed else "nb"
        segment = SEGMENT if not mixed or i % 2 == 0 else ""
        text = TEMPLATE.format(
            i=i,
            orgnr=orgnr(i * 101 + 17),
            post=1000 + i % 9000,
            spraak=spraak,
            segment=segment,
            second=SECOND_SERVICE if services == 2 else "",
            second_dp=', "sistetilgjengeligeskatteoppgjoer"' if services == 2 else "",
        )
        with open(os.path.join(out, f"avtale-{i:06d}.toml"), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
