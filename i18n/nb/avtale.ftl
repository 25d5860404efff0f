# Meldingene til avtale på bokmål. Hver melding har samme id og de samme variablene som i
# ../en/avtale.ftl (tests/i18n.rs kontrollerer det). Regelkoder, TOML-nøkler og verdier i
# backticks skal stå uendret.

## Diagnostikk: ordene rundt meldingene

severity-error = feil
severity-warning = advarsel
severity-info = merknad
diag-help = retting: { $help }
diag-short-at = { $message } (i `{ $path }`)
diag-label-at = i `{ $path }`
did-you-mean = mente du `{ $suggestion }`?

## Steder det vises til

related-agreement-date = avtaledato
related-consumer-number = konsumentens organisasjonsnummer
related-first-requested = først bedt om her
related-first-used = først brukt her

## Reglene i formatet (src/input/rules.rs)

orgnr-format = `{ $value }` har ikke 9 sifre
orgnr-format-help = et organisasjonsnummer har nøyaktig 9 sifre, for eksempel `974 761 076`
orgnr-checksum = `{ $value }` har feil kontrollsiffer
orgnr-checksum-help = kontroller nummeret mot Enhetsregisteret; siste siffer er et kontrollsiffer etter modulus 11
orgnr-test-range = `{ $value }` begynner ikke med 8 eller 9, slik registrerte organisasjonsnumre gjør
orgnr-test-range-help = er dette syntetiske testdata, sett `testdata = true` i `[avtale]`
email = `{ $value }` er ikke en gyldig e-postadresse
email-help = skriv en adresse som `postmottak@example.no`
agreement-id = `{ $value }` er ikke en gyldig avtale-id
agreement-id-help = bruk bare bokstavene A-Z, sifre, `-`, `_` og `.`: id-en blir navnet på PDF-filen
date-order-valid-from = `gyldig_fra` ({ $from }) er før avtaledatoen ({ $date })
date-order-valid-from-help = avtalen kan ikke tre i kraft før den er datert
organisation-form = `{ $value }` er ikke en kode for organisasjonsform
organisation-form-help = bruk koden fra Enhetsregisteret: 2-4 store bokstaver, for eksempel `AS`, `KOMM`, `ORGL`
postnummer = `{ $value }` er ikke et postnummer på 4 sifre
postnummer-help = skriv postnummeret som en streng med 4 sifre, for eksempel `"0150"`
phone = `{ $value }` er ikke et gyldig telefonnummer
phone-help = skriv 8 sifre (`912 34 567`) eller `+` og 7-15 sifre (`+47 912 34 567`)
missing-contact-role = ingen kontaktperson med `rolle = "{ $role }"`
missing-contact-role-help = legg til en `[[kontakt]]`-tabell med `rolle = "{ $role }"`
missing-signatory = avtalen har ingen signatar
missing-signatory-help = legg til en `[[signatar]]`-tabell for en person med fullmakt til å signere for konsumenten
delegation-without-reference = delegert fullmakt uten `fullmakt_referanse`
delegation-without-reference-help = legg til `fullmakt_referanse` med henvisning til delegeringsvedtaket
reference-without-delegation = `fullmakt_referanse` er bare tillatt med `fullmakt = "delegert"`
reference-without-delegation-help = fjern `fullmakt_referanse`, eller sett `fullmakt = "delegert"`
segment-owner-self = segmentansvarlig er konsumenten selv
segment-owner-self-help = en segmentansvarlig opptrer for andre virksomheter; kontroller tabellen `[segment]`
date-order-processor = databehandleravtalen ({ $processor_date }) er datert etter avtalen ({ $date })
date-order-processor-help = databehandleravtalen må være på plass før denne avtalen inngås
processor-services-empty = `tjenester` er tom
processor-services-empty-help = før opp minst én av de etterspurte tjenestene som denne databehandleren håndterer
processor-service = databehandleren håndterer `{ $service }`, som denne avtalen ikke ber om
processor-service-help-none = be om tjenesten i en `[[tjeneste]]`-tabell
processor-service-help = tjenester avtalen ber om: { $services }
no-service = avtalen ber ikke om noen tjeneste
no-service-help = legg til en `[[tjeneste]]`-tabell for hver delingstjeneste det bes om
terms-language-fallback = `{ $terms }@{ $version }` har ingen tekst på `{ $lang }`; avtalen får bokmålsteksten, som er den bindende
terms-language-fallback-help = versjon `{ $version }` har tekst på `{ $lang }`; angi den når avtalen revideres
terms-language-fallback-help-none = skriv avtalen på bokmål (`spraak = "nb"`), eller be eieren av vilkårene om en oversettelse
unknown-terms-version = `{ $terms }` har ingen versjon `{ $version }`
unknown-terms-version-help = gjeldende versjon er `{ $current }`; kjente versjoner: { $versions }
unknown-terms-version-help-none = kjente versjoner: { $versions }
terms-withdrawn = `{ $terms }@{ $version }` er trukket tilbake
terms-withdrawn-help = angi gjeldende versjon `{ $current }`
terms-withdrawn-help-none = angi en versjon som er i kraft
sample-terms = `{ $terms }@{ $version }` er en eksempeltekst, ikke den offisielle teksten fra eieren av vilkårene, og avtalen skal signeres
sample-terms-help = bygg med de offisielle vilkårene (`--catalogue` eller `--templates` fra eieren av vilkårene) før signering
terms-superseded = `{ $terms }@{ $version }` er erstattet av `{ $current }`
terms-superseded-help = angi `{ $current }` når avtalen revideres
terms-superseded-help-usage = nyere bruksvilkår gjelder uten ny signatur; angi `{ $current }` for å skrive ut versjonen som er i kraft
short-purpose = formålet er på { $length } tegn; det må være minst 20
short-purpose-help = beskriv hva opplysningene brukes til, for eksempel `Beregne redusert foreldrebetaling i barnehage`
unknown-service = ukjent tjeneste `{ $service }`
unknown-service-help = kjente tjenester: { $services }
requires-service = `{ $service }` kan bare bestilles sammen med `{ $needed }`
requires-service-help = legg til en `[[tjeneste]]` med `id = "{ $needed }"`
duplicate-service = `{ $service }` med rettighetspakken `{ $package }` er bedt om to ganger
duplicate-service-help = fjern den ene av de to `[[tjeneste]]`-tabellene
unknown-rights-package = `{ $service }` tilbyr ikke rettighetspakken `{ $package }`
unknown-rights-package-help = `{ $service }` tilbyr { $packages }
unknown-rights-package-help-suggest = mente du `{ $suggestion }`? `{ $service }` tilbyr { $packages }
basis-not-allowed = rettighetspakken `{ $package }` tillater ikke utleveringsgrunnlag av typen `{ $kind }`
basis-not-allowed-help = `{ $package }` tillater { $allowed }
missing-own-statute = rettighetspakken `{ $package }` krever at konsumenten har egen hjemmel
missing-own-statute-help = legg til `egen_hjemmel` med lovbestemmelsen som gir konsumenten tilgang, for eksempel `vegtrafikkloven § 43c`
consent-without-url = samtykkepakken `{ $package }` krever `retur_url`
consent-without-url-help = legg til `retur_url = ["https://…"]` med adressene Altinn kan sende brukeren tilbake til
url-without-consent = `retur_url` gjelder bare samtykkepakker; `{ $package }` bygger på hjemmel i lov
url-without-consent-help = fjern `retur_url`
consent-urls-empty = `retur_url` er tom
consent-urls-empty-help = før opp minst én https-adresse
url = `{ $value }` er ikke en absolutt https-adresse
url-help = skriv en fullstendig adresse, for eksempel `https://bank.example/samtykke/retur`

## Lesing av tabellene (src/input/raw.rs, src/input/model.rs)

unknown-key = ukjent nøkkel `{ $key }`
unknown-key-help = kjente nøkler her: { $keys }
missing-field = påkrevd nøkkel `{ $key }` mangler
empty-value = `{ $key }` kan ikke være tom
one-of = en av { $allowed }
not-allowed = `{ $value }` er ikke en tillatt verdi
allowed = tillatte verdier: { $allowed }
allowed-suggest = mente du `{ $suggestion }`? tillatte verdier: { $allowed }
expected-type = forventet { $expected }, fant { $found }
type-string = en streng
type-integer = et heltall
type-float = et desimaltall
type-boolean = en sannhetsverdi (`true` eller `false`)
type-boolean-plain = en sannhetsverdi
type-datetime = et tidspunkt
type-array = en liste
type-table = en tabell
type-array-of-tables = en liste av tabeller (`[[{ $key }]]`)
type-array-of-strings = en liste av strenger
expected-date = forventet en dato, fant { $found }
date-quoted-help = skriv datoen uten anførselstegn: `{ $date }`
date-type-help = skriv en lokal TOML-dato, for eksempel `2026-05-12`
missing-date-help = en dato som `2026-05-12` (uten anførselstegn)
not-a-date = `{ $value }` er ikke en dato
not-a-date-help = skriv datoen som ÅÅÅÅ-MM-DD, for eksempel `2026-05-12`
not-an-environment = `{ $value }` er ikke et miljø
environment-twice = miljøet `{ $value }` er oppført to ganger
environments-empty = `miljoe` må ha minst ett miljø
environments-empty-help = utelat `miljoe` for å be om både `test` og `produksjon`
help-avtale = legg til en `[avtale]`-tabell med `id` og `dato`
help-virksomhet = legg til en `[virksomhet]`-tabell for konsumenten
help-contact-name = kontaktpersonens fulle navn
help-contact-email = kontaktpersonens e-postadresse
help-signatory-name = signatarens fulle navn
help-signatory-title = signatarens tittel, for eksempel `Daglig leder`
help-segment-id = segmentets id, for eksempel `kommunal-sektor`
help-segment-owner = segmentets ansvarlige virksomhet: `ansvarlig = {"{"} navn = "…", organisasjonsnummer = "…" {"}"}`
help-processor-name = databehandlerens navn
help-processor-orgnr = databehandlerens organisasjonsnummer på 9 sifre
help-processor-services = før opp id-ene til de etterspurte tjenestene som denne databehandleren håndterer
help-vilkaar = legg til `[vilkaar]` med `delingsvilkaar = "2022-05"`
help-delingsvilkaar = versjonen avtalen bygger på, for eksempel `2022-05`
help-agreement-id = en unik avtale-id, for eksempel `KA-2026-0001`
help-organisation-name = virksomhetens registrerte navn
help-main-unit-orgnr = hovedenhetens organisasjonsnummer på 9 sifre
help-postadresse = `postadresse = {"{"} adresse = "…", postnummer = "0000", poststed = "…" {"}"}`
help-adresse = gateadresse eller postboks
help-postnummer = et postnummer på 4 sifre
help-poststed = poststedet
help-varslingsadresse = e-postadressen Skatteetaten sender varsler til
help-part-name = virksomhetens navn
help-part-orgnr = et organisasjonsnummer på 9 sifre
help-service-id = en tjeneste-id fra katalogen, for eksempel `inntekt`
help-rights-package = en rettighetspakke tjenesten tilbyr
help-bruksvilkaar = versjonen av tjenestens bruksvilkår avtalen bygger på
help-formaal = hva opplysningene brukes til, minst 20 tegn
help-utleveringsgrunnlag = legg til `[tjeneste.utleveringsgrunnlag]` med `type` og `henvisning` (grunnlaget for å få opplysningene utlevert)
help-behandlingsgrunnlag = legg til `[tjeneste.behandlingsgrunnlag]` med `type` og `henvisning` (grunnlaget for å behandle opplysningene)
help-henvisning = lovbestemmelsen eller samtykket grunnlaget bygger på

## Filer, segmenter og medlemslister (src/input/load.rs, members_csv.rs, members_xlsx.rs)

not-utf8 = filen er ikke gyldig UTF-8
not-utf8-help = lagre filen som UTF-8
more-syntax-errors = { $count } syntaksfeil til vises ikke
more-syntax-errors-help = rett først feilene over; er dette en TOML-fil?
format-missing = `format` mangler
format-missing-help = legg til `format = 1` som første linje
format-unsupported = formatversjonen støttes ikke
format-unsupported-help = denne versjonen av avtale leser `format = 1`
members-twice = medlemmene er oppgitt både i en medlemsliste og som `[[medlem]]`-tabeller
members-twice-help = bruk bare den ene måten
member-list-help-xlsx = `medlemmer` angir en Excel-fil (.xlsx) eller CSV-fil, relativt til denne filen
member-list-help-csv = `medlemmer` angir en CSV-fil, relativt til denne filen
member-list-outside = `{ $value }` er ikke en sti i mappen til segmentfilen
no-members = segmentfilen har ingen medlemmer
no-members-help = legg til `medlemmer = "members.csv"` før den første tabellen, eller `[[medlem]]`-tabeller
separator-without-csv = `skilletegn` er skilletegnet i en CSV-fil med medlemmer
separator-without-csv-help = fjern den; den gjelder bare når `medlemmer` angir en .csv-fil
separator-not-allowed = `{ $value }` er ikke et tillatt skilletegn
separator-not-allowed-help = tillatt: `","`, `";"`; utelat `skilletegn` for å la det finnes ut fra overskriftsraden
sheet-without-xlsx = `ark` angir et ark i en medlemsliste i Excel
sheet-without-xlsx-help = fjern den; den gjelder bare når `medlemmer` angir en .xlsx-fil
duplicate-id = avtale-id-en `{ $id }` er brukt mer enn én gang
duplicate-id-help = hver avtale må ha sin egen id
csv-header-example = den første raden navngir kolonnene, for eksempel `avtale.id{ $separator }virksomhet.navn{ $separator }...`
csv-separator-contradicted = overskriftsraden er skilt med `{ $found }`, men segmentfilen sier `skilletegn = "{ $declared }"`
csv-separator-contradicted-help = skriv `skilletegn = "{ $found }"`, eller utelat `skilletegn` for å la skilletegnet finnes automatisk
csv-empty = CSV-filen med medlemmer er tom
csv-too-many-columns = overskriftsraden har { $columns } kolonner, flere enn de { $max } en CSV-fil med medlemmer kan ha
too-many-members = mer enn { $max } medlemmer; et segment kan ha høyst { $max }
too-many-members-help = fordel medlemmene på flere segmentfiler
csv-column-twice = kolonnen `{ $column }` forekommer to ganger
csv-unknown-column = ukjent kolonne `{ $column }`
csv-unknown-column-help = se kolonnene for CSV-filer med medlemmer i docs/format.md
csv-too-many-row-errors = mer enn { $max } rader med feil; resten rapporteres ikke
csv-unequal-lengths = denne raden har { $fields } felt, overskriftsraden har { $expected }
csv-quote-semicolons = sett anførselstegn rundt verdier som inneholder semikolon: `"Rådhuset; Storgata 1"`
csv-quote-commas = sett anførselstegn rundt verdier som inneholder komma: `"Rådhuset, Storgata 1"`
csv-save-as-utf8 = i Excel: Fil → Lagre som → «CSV UTF-8 (kommadelt) (*.csv)»; i engelsk Excel: File → Save As → «CSV UTF-8 (Comma delimited) (*.csv)» (skilletegnet `;` eller `,` finnes automatisk)
csv-is-xlsx = dette er en Excel-arbeidsbok (.xlsx), ikke en CSV-fil: skriv filnavnet med `.xlsx` i `medlemmer`
csv-utf16 = CSV-filen er UTF-16 (Excels «Unicode-tekst»), ikke UTF-8: lagre den på nytt med Lagre som → CSV UTF-8 (kommadelt)
csv-windows-1252 = CSV-filen er ikke UTF-8: byten { $byte } her er «{ $meant }» i Windows-1252, tegnkodingen som Excels «CSV (semikolondelt)» og «CSV (kommadelt)» bruker; lagre den på nytt med Lagre som → CSV UTF-8 (kommadelt)
csv-windows-1252-cell = CSV-filen er ikke UTF-8: byten { $byte } her er «{ $meant }» i Windows-1252, tegnkodingen som Excels «CSV (semikolondelt)» og «CSV (kommadelt)» bruker (cellen ville lyde «{ $cell }»); lagre den på nytt med Lagre som → CSV UTF-8 (kommadelt)
xlsx-no-sheets = arbeidsboken har ingen ark
xlsx-no-sheets-help = før opp medlemmene på det første arket, ett per rad
xlsx-too-many-columns = ark { $sheet }, celle { $cell }: arket har flere enn de { $max } kolonnene en medlemsliste kan ha
xlsx-too-many-columns-help = den første raden navngir kolonnene, for eksempel `avtale.id`, `virksomhet.navn`, ...; slett kolonnene etter dem
xlsx-too-many-members = ark { $sheet }, rad { $row }: mer enn { $max } medlemmer; et segment kan ha høyst { $max }
xlsx-password = arbeidsboken er passordbeskyttet og kan derfor ikke leses
xlsx-password-help = fjern passordet: Fil → Info → Beskytt arbeidsbok → Krypter med passord, og tøm feltet (File → Info → Protect Workbook → Encrypt with Password)
xlsx-old-format = dette er en Excel 97–2003-arbeidsbok (.xls) eller en annen Office-fil, ikke en .xlsx-arbeidsbok
xlsx-old-format-help = i Excel: Fil → Lagre som → «Excel-arbeidsbok (*.xlsx)» (File → Save As → «Excel Workbook (*.xlsx)»)
xlsx-unreadable = arbeidsboken kan ikke leses: { $error }
xlsx-unreadable-help = er det en .xlsx-fil lagret av Excel? Åpne den i Excel og lagre den på nytt som «Excel-arbeidsbok (*.xlsx)»
xlsx-too-large = arbeidsboken blir større enn { $mib } MiB når den pakkes ut, mer enn en medlemsliste kan være
xlsx-too-large-help = behold bare arket med medlemmer i arbeidsboken, eller fordel medlemmene på flere segmentfiler
xlsx-sheet-empty = ark { $sheet }: arket er tomt
xlsx-sheet-empty-help = den første raden navngir kolonnene (`avtale.id`, `virksomhet.navn`, ...), hver rad etter den er et medlem
xlsx-unnamed-column = kolonne { $column } har verdier, men intet navn i overskriftsraden (celle { $cell } er tom)
xlsx-unnamed-column-help = skriv nøkkelstien til kolonnen, for eksempel `virksomhet.navn`, i { $cell }, eller slett kolonnen
xlsx-cell-error = cellen inneholder Excel-feilen `{ $error }`, ikke en verdi
xlsx-cell-error-help = rett formelen, eller lim inn selve verdien (Lim inn spesielt → Verdier / Paste Special → Values)
xlsx-no-such-sheet = arbeidsboken har ikke noe ark med navnet `{ $sheet }`
xlsx-no-such-sheet-help = arkene er { $sheets }
xlsx-no-such-sheet-help-suggest = mente du `{ $suggestion }`? arkene er { $sheets }

## Hvordan delene henger sammen (src/input/coherence.rs)

basis-combination = et utleveringsgrunnlag i lov (`hjemmel`) kan ikke kombineres med behandling basert på samtykke
related-statutory-basis = utleveringsgrunnlaget er hjemmel i lov her
basis-combination-help = oppgi enten loven eller forskriften som gir virksomheten rett til å behandle opplysningene (`type = "lov"` eller `"forskrift"`), eller, uten slik hjemmel, be hver enkelt om samtykke: velg en samtykkebasert rettighetspakke og `utleveringsgrunnlag.type = "samtykke"`
processor-required = tjenesten `{ $service }` nås gjennom en leverandør, men ingen databehandler dekker den
processor-required-help = legg til en `[[databehandler]]` for leverandøren med `tjenester = ["{ $service }"]` og datoen for databehandleravtalen
platform-without-segment = segmentplattformen er for medlemmer av et segment, og avtalen har ikke noe `[segment]`
platform-without-segment-help = legg til `[segment]` som konsumenten hører til, eller velg `direkte` eller `leverandoer`
placeholder = `{ $placeholder }` markerer en verdi som ikke er fylt ut ennå
placeholder-help = skriv inn den faktiske verdien; en avtale som skal signeres, kan ikke inneholde plassholdere

## Katalogen (src/catalog/catalogue.rs)

catalogue-format = katalogformatet støttes ikke; forventet `format = 1`
catalogue-translation-language = `{ $lang }` er ikke et språk det oversettes til (nn, en)
catalogue-no-sharing-terms = katalogen må definere vilkårsdokumentet `{ $terms }`
catalogue-two-current = vilkårene `{ $terms }` har mer enn én versjon med status `gjeldende`
catalogue-variants = vilkårene `{ $terms }@{ $version }`: `fil` må angi nøyaktig variantene { $variants }, eller én `standard`-tekst
catalogue-terms-translation-language = vilkårene `{ $terms }@{ $version }`: `{ $lang }` er ikke et språk det oversettes til (nn, en)
catalogue-translation-variants = vilkårene `{ $terms }@{ $version }`: oversettelsen til `{ $lang }` må angi de samme variantene som `fil`
catalogue-unknown-terms = tjenesten `{ $service }` viser til ukjente vilkår `{ $terms }`
catalogue-unknown-required = tjenesten `{ $service }` krever den ukjente tjenesten `{ $required }`
catalogue-basis-type = grunnlagstypen `{ $kind }` er verken `hjemmel` eller `samtykke`
catalogue-consent-code = samtykkepakken `{ $service }.{ $package }` krever `samtykkekode`

## Utskrift (src/document)

char-control = et kontrolltegn kan ikke skrives ut
char-separator = et linje- eller avsnittsskilletegn kan ikke skrives ut
char-bidi = et tegn for skriveretning ville endre rekkefølgen i den utskrevne teksten
char-no-font = ingen skrift i dokumentet kan vise `{ $char }`
unsupported-character = { $why } (U+{ $code })
unsupported-character-help = bytt ut tegnet, eller skriv navnet slik det er registrert i Enhetsregisteret
text-overflow = `{ $text }` går utenfor siden: et ord på { $length } tegn kan ikke deles
text-overflow-help = del verdien med mellomrom, eller gjør den kortere

## Kommandolinjen (src/cli, src/commands)

console-note = merk
summary = kontrollerte { $files } { $files ->
        [one] fil
       *[other] filer
    }, { $agreements } { $agreements ->
        [one] avtale
       *[other] avtaler
    }: { $errors } { $errors ->
        [one] feil
       *[other] feil
    }, { $warnings } { $warnings ->
        [one] advarsel
       *[other] advarsler
    }{ $notes }
summary-notes = , { $notes } { $notes ->
        [one] merknad
       *[other] merknader
    }
cli-no-subcommand = ingen underkommando `{ $name }`
cli-parse-unknown-subcommand = ukjent underkommando `{ $name }`
cli-parse-unknown-argument = ukjent argument `{ $arg }`
cli-parse-invalid-value = `{ $value }` er ikke en gyldig verdi for `{ $arg }`
cli-parse-missing-argument = mangler `{ $arg }`, som må være med
cli-parse-conflict = `{ $arg }` kan ikke brukes sammen med `{ $other }`
cli-parse-values = feil antall verdier for `{ $arg }`
cli-parse-missing-subcommand = mangler underkommando
cli-parse-did-you-mean = mente du `{ $suggestion }`?
cli-parse-valid-values = gyldige verdier: { $values }
cli-parse-usage = Bruk:
cli-parse-more-help = Mer hjelp: avtale --help
cannot-read = kan ikke lese { $file }
cannot-write = kan ikke skrive { $file }: { $error }
cannot-create = kan ikke opprette { $file }: { $error }
cannot-write-report = kan ikke skrive rapporten { $file }: { $error }
cannot-read-stdin = kan ikke lese standard inn: { $error }
not-utf8-text = { $file } er ikke tekst i UTF-8
config-not-utf8 = { $file } er ikke UTF-8
catalogue-broken = katalogen har feil; ingenting ble kontrollert
build-signed-kept = { $file } har en digital signatur og ble ikke overskrevet; flytt den eller bruk --force
build-summary = bygget { $built }, allerede oppdatert { $up_to_date }, mislyktes { $failed }, på { $seconds } s (utdata: { $output })
build-built = bygget { $file } ({ $pages } { $pages ->
        [one] side
       *[other] sider
    })
language-tables-broken =
    språktabellene har feil:
      { $errors }
diff-has-errors = { $side } kan ikke sammenlignes så lenge den har feil
extract-no-attachments = { $file } har ingen vedlagte filer (ble den bygget med --no-attachments?)
extract-unusable-name = hoppet over et vedlegg med et ubrukelig navn { $name }
extract-exists = { $file } finnes allerede; bruk --force for å erstatte den
impact-incomplete = filer som ikke kan leses, gjør svaret ufullstendig
new-exists = { $file } finnes allerede; new overskriver aldri en fil
new-wrote = skrev { $file }; fyll ut hver FYLL UT, og kjør deretter avtale check { $file }
render-no-agreement = ingen avtale i { $file }
render-no-agreement-with-id = ingen avtale med id `{ $id }` i { $file }
sign-done = signerte feltet { $field } som { $subject }; skrev { $file }
sign-output-is-input = { $file } er inndatafilen; sign skriver en ny fil (-o)
sign-exists = { $file } finnes allerede; sign overskriver aldri en fil
sign-no-password-env = miljøvariabelen { $var } inneholder ikke noe passord
sign-cannot-ask = kan ikke be om passordet ({ $error }); oppgi det med --password-env eller --password-file
watch-cannot = kan ikke overvåke filer: { $error }
watch-cannot-file = kan ikke overvåke { $file }: { $error }
watch-problems = byggingen fant problemer; rett dem og lagre på nytt
cannot-read-error = kan ikke lese { $file }: { $error }
no-agreement-files = fant ingen avtalefiler (*.toml) under { $dir }
file-too-large = { $file } er { $size } MiB, over grensen på { $limit } MiB for denne typen fil
file-over-limit = { $file } er over grensen på { $limit } MiB
over-size-limit = { $file } er over størrelsesgrensen
template-failed =
    dokumentmalen feilet:
    { $error }
cannot-write-output-dir = kan ikke skrive til utdatamappen { $dir }: { $error }

## Regelkoder: hva hver av dem gjelder (regelbeskrivelsene i SARIF)

rule-toml-syntax = Filen er ikke gyldig TOML (eller ikke UTF-8)
rule-csv-syntax = En CSV-fil med medlemmer har feil oppbygning
rule-format-version = `format` mangler eller er ikke 1
rule-unknown-key = En nøkkel som ikke finnes i formatet
rule-missing-field = En påkrevd nøkkel mangler
rule-invalid-type = En verdi av feil TOML-type
rule-invalid-value = En verdi utenfor de tillatte verdiene
rule-orgnr-format = Et organisasjonsnummer som ikke har 9 sifre
rule-orgnr-checksum = Et organisasjonsnummer med feil kontrollsiffer (modulus 11)
rule-orgnr-test-range = Et organisasjonsnummer utenfor det reelle området i en avtale som ikke er merket som testdata
rule-email = Ikke en gyldig e-postadresse
rule-phone = Ikke et gyldig telefonnummer
rule-postnummer = Et postnummer som ikke har 4 sifre
rule-url = En retur-URL som ikke er en absolutt https-adresse
rule-date-order = Datoer i feil rekkefølge
rule-duplicate-id = To avtaler med samme id i én kjøring
rule-unknown-service = En tjeneste som ikke finnes i katalogen
rule-unknown-rights-package = En rettighetspakke tjenesten ikke tilbyr
rule-duplicate-service = Samme tjeneste og rettighetspakke bedt om to ganger
rule-basis-not-allowed = Et utleveringsgrunnlag rettighetspakken ikke tillater
rule-missing-own-statute = Rettighetspakken krever `egen_hjemmel`, og den mangler
rule-consent-redirect = En samtykkepakke uten `retur_url`, eller `retur_url` på en pakke med hjemmel i lov
rule-requires-service = En tjeneste som krever en annen tjeneste, uten den
rule-unknown-terms-version = En angitt vilkårsversjon som ikke finnes i katalogen
rule-terms-withdrawn = En angitt vilkårsversjon som er trukket tilbake
rule-terms-superseded = En angitt vilkårsversjon som har en nyere gjeldende versjon
rule-missing-contact-role = Ingen forretningskontakt eller ingen teknisk kontakt
rule-missing-signatory = Ingen signatar
rule-delegation-reference = Delegert fullmakt uten referanse, eller referanse uten delegert fullmakt
rule-processor-service = En databehandler oppgir en tjeneste avtalen ikke ber om
rule-segment-owner-self = Segmentansvarlig er konsumenten selv
rule-short-purpose = Et formål kortere enn 20 tegn
rule-basis-combination = Et utleveringsgrunnlag i lov sammen med behandling basert på samtykke
rule-processor-required = Tilkobling gjennom leverandør for en tjeneste ingen databehandler dekker
rule-platform-without-segment = Tilkobling gjennom segmentplattformen uten segment
rule-placeholder = En verdi som fortsatt inneholder en plassholder
rule-sample-terms = En avtale som skal signeres, angir en eksempeltekst av vilkårene
rule-terms-language-fallback = En angitt vilkårsversjon har ingen tekst på avtalens språk
rule-unsupported-character = Et tegn ingen medfølgende skrift kan vise, eller et kontrolltegn
rule-text-overflow = Et ord for langt til å deles går utenfor siden
rule-catalogue = En feil i katalogen

## Endringer med vanlige ord (src/review/changes.rs): `avtale diff` og lagringsdialogen i redigeringsverktøyet

change-value = { $what ->
        [language] Språket
        [agreement-id] Avtale-ID-en
        [date] Avtaledatoen
        [status] Statusen
        [start-date] Datoen avtalen gjelder fra,
        [replaced] Avtalen som erstattes,
        [consumer-name] Konsumentens navn
        [consumer-orgnr] Konsumentens organisasjonsnummer
        [organisation-form] Organisasjonsformen
        [postal-address] Postadressen
        [notification-address] Varslingsadressen
        [segment] Segmentet
        [contact-name] Navnet på kontaktpersonen for { $role }
        [contact-title] Tittelen til kontaktpersonen for { $role }
        [contact-email] E-postadressen til kontaktpersonen for { $role }
        [contact-phone] Telefonnummeret til kontaktpersonen for { $role }
        [service-purpose] `{ $id }`: Formålet
        [service-environments] `{ $id }`: Miljøene
        [service-connection] `{ $id }`: Tilkoblingen
        [service-disclosure-basis] `{ $id }`: Utleveringsgrunnlaget
        [service-processing-basis] `{ $id }`: Behandlingsgrunnlaget
        [service-own-statute] `{ $id }`: Den egne hjemmelen
        [service-return-addresses] `{ $id }`: Returadressene
        [terms-of-use] Bruksvilkårene for `{ $id }`
       *[other] { $what }
    } er endret fra «{ $old }» til «{ $new }»
change-contact-removed = Kontaktpersonen for { $role }, { $name }, er fjernet
change-contact-added = Ny kontaktperson for { $role }: { $name } ({ $email })
change-signatory-removed = Signatar fjernet: { $entry }
change-signatory-added = Signatar lagt til: { $entry }
change-service-removed = Tjenesten `{ $id }` med rettighetspakken `{ $package }` er fjernet
change-service-added = Tjenesten `{ $id }` er lagt til med rettighetspakken `{ $package }` ({ $basis })
change-processor-removed = Databehandler fjernet eller endret: { $entry }
change-processor-added = Databehandler lagt til eller endret: { $entry }
change-sharing-terms = Delingsvilkår { $old } → { $new }
change-agreement-removed = Avtalen { $id } er fjernet
change-agreement-added = Avtalen { $id } er lagt til

## Redigeringsverktøyet (src/commands/serve.rs)

serve-running = Redigeringsverktøyet for { $dir } kjører: åpne adressen over i en nettleser, og stopp det med Ctrl+C.
serve-no-browser = kan ikke åpne en nettleser; åpne adressen over selv
