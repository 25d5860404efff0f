# Messages of avtale in English: the source text of every message, and the fallback.
# Every message here has a bokmål text with the same variables in ../nb/avtale.ftl
# (tests/i18n.rs checks both). Keep rule codes, TOML keys and values in backticks as they
# are: they are the same in every language.

## Diagnostics: the words around them

severity-error = error
severity-warning = warning
severity-info = info
diag-help = help: { $help }
diag-short-at = { $message } (at `{ $path }`)
diag-label-at = at `{ $path }`
did-you-mean = did you mean `{ $suggestion }`?

## Related places

related-agreement-date = agreement date
related-consumer-number = the consumer's number
related-first-requested = first requested here
related-first-used = first used here

## Rules of the format (src/input/rules.rs)

orgnr-format = `{ $value }` is not 9 digits
orgnr-format-help = an organisation number has exactly 9 digits, e.g. `974 761 076`
orgnr-checksum = `{ $value }` has a wrong check digit
orgnr-checksum-help = check the number against Enhetsregisteret; the last digit is a mod-11 check digit
orgnr-test-range = `{ $value }` does not start with 8 or 9, as registered organisation numbers do
orgnr-test-range-help = if this is synthetic test data, set `testdata = true` in `[avtale]`
email = `{ $value }` is not a plausible e-mail address
email-help = write an address such as `postmottak@example.no`
agreement-id = `{ $value }` is not a valid agreement id
agreement-id-help = use letters A-Z, digits, `-`, `_` and `.` only: the id names the PDF file
date-order-valid-from = `gyldig_fra` ({ $from }) is before the agreement date ({ $date })
date-order-valid-from-help = the agreement cannot take effect before it is dated
organisation-form = `{ $value }` is not an organisation form code
organisation-form-help = use the Enhetsregisteret code: 2-4 capital letters, e.g. `AS`, `KOMM`, `ORGL`
postnummer = `{ $value }` is not a 4-digit postcode
postnummer-help = write the postcode as a string of 4 digits, e.g. `"0150"`
phone = `{ $value }` is not a plausible phone number
phone-help = write 8 digits (`912 34 567`) or `+` and 7-15 digits (`+47 912 34 567`)
missing-contact-role = no contact with `rolle = "{ $role }"`
missing-contact-role-help = add a `[[kontakt]]` table with `rolle = "{ $role }"`
missing-signatory = the agreement has no signatory
missing-signatory-help = add a `[[signatar]]` table for a person with authority to sign for the consumer
delegation-without-reference = delegated authority without `fullmakt_referanse`
delegation-without-reference-help = add `fullmakt_referanse` naming the delegation decision
reference-without-delegation = `fullmakt_referanse` is only allowed with `fullmakt = "delegert"`
reference-without-delegation-help = remove `fullmakt_referanse`, or set `fullmakt = "delegert"`
segment-owner-self = the segment owner is the consumer itself
segment-owner-self-help = a segment owner speaks for other organisations; check the `[segment]` table
date-order-processor = the data processing agreement ({ $processor_date }) is dated after the agreement ({ $date })
date-order-processor-help = the data processing agreement must be in place before this agreement is made
processor-services-empty = `tjenester` is empty
processor-services-empty-help = list at least one requested service this processor handles
processor-service = the processor handles `{ $service }`, which this agreement does not request
processor-service-help-none = request the service in a `[[tjeneste]]` table
processor-service-help = requested services: { $services }
no-service = the agreement requests no service
no-service-help = add a `[[tjeneste]]` table for each sharing service requested
terms-language-fallback = `{ $terms }@{ $version }` has no text in `{ $lang }`; the agreement will include the bokmål text, which is binding
terms-language-fallback-help = version `{ $version }` has a `{ $lang }` text; pin it when the agreement is revised
terms-language-fallback-help-none = write the agreement in bokmål (`spraak = "nb"`), or ask the terms owner for a translation
unknown-terms-version = `{ $terms }` has no version `{ $version }`
unknown-terms-version-help = the current version is `{ $current }`; known: { $versions }
unknown-terms-version-help-none = known versions: { $versions }
terms-withdrawn = `{ $terms }@{ $version }` has been withdrawn
terms-withdrawn-help = pin the current version `{ $current }`
terms-withdrawn-help-none = pin a version that is in force
sample-terms = `{ $terms }@{ $version }` is a sample text, not the terms owner's official text, and the agreement is to be signed
sample-terms-help = build with the official terms (`--catalogue` or `--templates` from the terms owner) before signing
terms-superseded = `{ $terms }@{ $version }` is superseded by `{ $current }`
terms-superseded-help = pin `{ $current }` when the agreement is revised
terms-superseded-help-usage = later bruksvilkår apply without a new signature; pin `{ $current }` to print the version in force
short-purpose = the purpose is { $length } characters; at least 20 are needed
short-purpose-help = describe what the data is used for, e.g. `Beregne redusert foreldrebetaling i barnehage`
unknown-service = unknown service `{ $service }`
unknown-service-help = known services: { $services }
requires-service = `{ $service }` can only be requested together with `{ $needed }`
requires-service-help = add a `[[tjeneste]]` with `id = "{ $needed }"`
duplicate-service = `{ $service }` with rights package `{ $package }` is requested twice
duplicate-service-help = remove one of the two `[[tjeneste]]` tables
unknown-rights-package = `{ $service }` does not offer the rights package `{ $package }`
unknown-rights-package-help = `{ $service }` offers { $packages }
unknown-rights-package-help-suggest = did you mean `{ $suggestion }`? `{ $service }` offers { $packages }
basis-not-allowed = rights package `{ $package }` does not allow a disclosure basis of type `{ $kind }`
basis-not-allowed-help = `{ $package }` allows { $allowed }
missing-own-statute = rights package `{ $package }` requires the consumer's own statutory authority
missing-own-statute-help = add `egen_hjemmel` naming the statute that gives the consumer access, e.g. `vegtrafikkloven § 43c`
consent-without-url = consent package `{ $package }` needs `retur_url`
consent-without-url-help = add `retur_url = ["https://…"]` with the addresses Altinn may send the user back to
url-without-consent = `retur_url` is only for consent packages; `{ $package }` is statutory
url-without-consent-help = remove `retur_url`
consent-urls-empty = `retur_url` is empty
consent-urls-empty-help = list at least one https address
url = `{ $value }` is not an absolute https address
url-help = write a full address such as `https://bank.example/samtykke/retur`

## Reading the tables (src/input/raw.rs, src/input/model.rs)

unknown-key = unknown key `{ $key }`
unknown-key-help = known keys here: { $keys }
missing-field = missing required key `{ $key }`
empty-value = `{ $key }` must not be empty
one-of = one of { $allowed }
not-allowed = `{ $value }` is not an allowed value
allowed = allowed: { $allowed }
allowed-suggest = did you mean `{ $suggestion }`? allowed: { $allowed }
expected-type = expected { $expected }, found { $found }
type-string = a string
type-integer = an integer
type-float = a float
type-boolean = a boolean (`true` or `false`)
type-boolean-plain = a boolean
type-datetime = a date-time
type-array = an array
type-table = a table
type-array-of-tables = an array of tables (`[[{ $key }]]`)
type-array-of-strings = an array of strings
expected-date = expected a date, found { $found }
date-quoted-help = write the date without quotes: `{ $date }`
date-type-help = write a TOML local date such as `2026-05-12`
missing-date-help = a date such as `2026-05-12` (no quotes)
not-a-date = `{ $value }` is not a date
not-a-date-help = write a date as YYYY-MM-DD, e.g. `2026-05-12`
not-an-environment = `{ $value }` is not an environment
environment-twice = environment `{ $value }` is listed twice
environments-empty = `miljoe` needs at least one environment
environments-empty-help = leave `miljoe` out to request both `test` and `produksjon`
help-avtale = add an `[avtale]` table with `id` and `dato`
help-virksomhet = add a `[virksomhet]` table for the consumer
help-contact-name = the contact person's full name
help-contact-email = the contact person's e-mail address
help-signatory-name = the signatory's full name
help-signatory-title = the signatory's title, e.g. `Daglig leder`
help-segment-id = the segment's id, e.g. `kommunal-sektor`
help-segment-owner = the segment owner: `ansvarlig = {"{"} navn = "…", organisasjonsnummer = "…" {"}"}`
help-processor-name = the data processor's name
help-processor-orgnr = the processor's 9-digit organisation number
help-processor-services = list the ids of the requested services this processor handles
help-vilkaar = add `[vilkaar]` with `delingsvilkaar = "2022-05"`
help-delingsvilkaar = the pinned version, e.g. `2022-05`
help-agreement-id = a unique agreement id, e.g. `KA-2026-0001`
help-organisation-name = the organisation's registered name
help-main-unit-orgnr = the main unit's 9-digit organisation number
help-postadresse = `postadresse = {"{"} adresse = "…", postnummer = "0000", poststed = "…" {"}"}`
help-adresse = street address or PO box
help-postnummer = a 4-digit postcode
help-poststed = the postal town
help-varslingsadresse = the e-mail address where Skatteetaten sends notices
help-part-name = the organisation's name
help-part-orgnr = a 9-digit organisation number
help-service-id = a service id from the catalogue, e.g. `inntekt`
help-rights-package = a rights package the service offers
help-bruksvilkaar = the pinned version of the service's terms of use
help-formaal = what the data is used for, at least 20 characters
help-utleveringsgrunnlag = add `[tjeneste.utleveringsgrunnlag]` with `type` and `henvisning` (the basis to obtain the data)
help-behandlingsgrunnlag = add `[tjeneste.behandlingsgrunnlag]` with `type` and `henvisning` (the basis to process the data)
help-henvisning = the statute or consent the basis rests on

## Files, segments and member lists (src/input/load.rs, members_csv.rs, members_xlsx.rs)

not-utf8 = the file is not valid UTF-8
not-utf8-help = save the file as UTF-8
more-syntax-errors = { $count } more syntax errors are not shown
more-syntax-errors-help = fix the errors above first; is this a TOML file?
format-missing = `format` is missing
format-missing-help = add `format = 1` as the first line
format-unsupported = unsupported format version
format-unsupported-help = this version of avtale reads `format = 1`
members-twice = members are given both in a member list file and as `[[medlem]]` tables
members-twice-help = use one of the two
member-list-help-xlsx = `medlemmer` names an Excel (.xlsx) or CSV file relative to this file
member-list-help-csv = `medlemmer` names a CSV file relative to this file
member-list-outside = `{ $value }` is not a path inside the segment file's directory
no-members = the segment file lists no members
no-members-help = add `medlemmer = "members.csv"` before the first table, or `[[medlem]]` tables
separator-without-csv = `skilletegn` is the separator of a member CSV file
separator-without-csv-help = remove it; it applies only when `medlemmer` names a .csv file
separator-not-allowed = `{ $value }` is not an allowed separator
separator-not-allowed-help = allowed: `","`, `";"`; leave `skilletegn` out to have it found from the header row
sheet-without-xlsx = `ark` names a sheet of an Excel member list
sheet-without-xlsx-help = remove it; it applies only when `medlemmer` names an .xlsx file
duplicate-id = agreement id `{ $id }` is used more than once
duplicate-id-help = every agreement needs its own id
csv-header-example = the first row names the columns, e.g. `avtale.id{ $separator }virksomhet.navn{ $separator }...`
csv-separator-contradicted = the header row is separated by `{ $found }`, but the segment file says `skilletegn = "{ $declared }"`
csv-separator-contradicted-help = write `skilletegn = "{ $found }"`, or leave `skilletegn` out to have the separator found
csv-empty = the member CSV file is empty
csv-too-many-columns = the header has { $columns } columns, more than the { $max } a member CSV may have
too-many-members = more than { $max } members; a segment may have at most { $max }
too-many-members-help = split the members over several segment files
csv-column-twice = column `{ $column }` appears twice
csv-unknown-column = unknown column `{ $column }`
csv-unknown-column-help = see the member CSV columns in docs/format.md
csv-too-many-row-errors = more than { $max } malformed rows; the rest are not reported
csv-unequal-lengths = this row has { $fields } fields, the header has { $expected }
csv-quote-semicolons = quote values that contain semicolons: `"Rådhuset; Storgata 1"`
csv-quote-commas = quote values that contain commas: `"Rådhuset, Storgata 1"`
csv-save-as-utf8 = in Excel: Fil → Lagre som → «CSV UTF-8 (kommadelt) (*.csv)»; in English Excel: File → Save As → «CSV UTF-8 (Comma delimited) (*.csv)» (a `;` or `,` separator is found by itself)
csv-is-xlsx = this is an Excel workbook (.xlsx), not a CSV file: name it `.xlsx` in `medlemmer`
csv-utf16 = the CSV file is UTF-16 (Excel's «Unicode-tekst»), not UTF-8: save it again with Lagre som → CSV UTF-8 (kommadelt)
csv-windows-1252 = the CSV file is not UTF-8: the byte { $byte } here is «{ $meant }» in Windows-1252, the encoding Excel's «CSV (semikolondelt)» and «CSV (kommadelt)» use; save it again with Lagre som → CSV UTF-8 (kommadelt)
csv-windows-1252-cell = the CSV file is not UTF-8: the byte { $byte } here is «{ $meant }» in Windows-1252, the encoding Excel's «CSV (semikolondelt)» and «CSV (kommadelt)» use (the cell would read «{ $cell }»); save it again with Lagre som → CSV UTF-8 (kommadelt)
xlsx-no-sheets = the workbook has no sheets
xlsx-no-sheets-help = put the members on the first sheet, one row each
xlsx-too-many-columns = ark { $sheet }, celle { $cell }: the sheet has more than the { $max } columns a member list may have
xlsx-too-many-columns-help = the first row names the columns, e.g. `avtale.id`, `virksomhet.navn`, ...; delete the columns after them
xlsx-too-many-members = ark { $sheet }, rad { $row }: more than { $max } members; a segment may have at most { $max }
xlsx-password = the workbook is password-protected, so it cannot be read
xlsx-password-help = remove the password: Fil → Info → Beskytt arbeidsbok → Krypter med passord, and empty the field (File → Info → Protect Workbook → Encrypt with Password)
xlsx-old-format = this is an Excel 97–2003 workbook (.xls) or another Office file, not an .xlsx workbook
xlsx-old-format-help = in Excel: Fil → Lagre som → «Excel-arbeidsbok (*.xlsx)» (File → Save As → «Excel Workbook (*.xlsx)»)
xlsx-unreadable = the workbook cannot be read: { $error }
xlsx-unreadable-help = is it an .xlsx file saved by Excel? Open it in Excel and save it again as «Excel-arbeidsbok (*.xlsx)»
xlsx-too-large = the workbook unpacks to more than { $mib } MiB, more than a member list may take
xlsx-too-large-help = keep only the member sheet in the workbook, or split the members over several segment files
xlsx-sheet-empty = ark { $sheet }: the sheet is empty
xlsx-sheet-empty-help = the first row names the columns (`avtale.id`, `virksomhet.navn`, ...), each further row is a member
xlsx-unnamed-column = column { $column } has values but no name in the header row (cell { $cell } is empty)
xlsx-unnamed-column-help = write the column's key path, e.g. `virksomhet.navn`, in { $cell }, or delete the column
xlsx-cell-error = the cell holds the Excel error `{ $error }`, not a value
xlsx-cell-error-help = fix the formula, or paste the value itself (Lim inn spesielt → Verdier / Paste Special → Values)
xlsx-no-such-sheet = the workbook has no sheet named `{ $sheet }`
xlsx-no-such-sheet-help = the sheets are { $sheets }
xlsx-no-such-sheet-help-suggest = did you mean `{ $suggestion }`? the sheets are { $sheets }

## How the parts fit together (src/input/coherence.rs)

basis-combination = a statutory disclosure basis (`hjemmel`) cannot be combined with processing on consent
related-statutory-basis = the disclosure basis is statutory here
basis-combination-help = either give the law or regulation that lets the organisation process the data (`type = "lov"` or `"forskrift"`), or, without one, ask each person: choose a consent rights package and `utleveringsgrunnlag.type = "samtykke"`
processor-required = service `{ $service }` is reached through a vendor, but no data processor covers it
processor-required-help = add a `[[databehandler]]` for the vendor with `tjenester = ["{ $service }"]` and the date of the data processing agreement
platform-without-segment = the segment platform is for members of a segment, and the agreement has no `[segment]`
platform-without-segment-help = add the `[segment]` the consumer belongs to, or choose `direkte` or `leverandoer`
placeholder = `{ $placeholder }` marks a value that is not filled in yet
placeholder-help = write the real value; a signable agreement must hold no placeholder

## The catalogue (src/catalog/catalogue.rs)

catalogue-format = unsupported catalogue format; expected `format = 1`
catalogue-translation-language = `{ $lang }` is not a language to translate into (nn, en)
catalogue-no-sharing-terms = the catalogue must define the terms document `{ $terms }`
catalogue-two-current = terms `{ $terms }` has more than one version with status `gjeldende`
catalogue-variants = terms `{ $terms }@{ $version }`: `fil` must name exactly the variants { $variants }, or one `standard` text
catalogue-terms-translation-language = terms `{ $terms }@{ $version }`: `{ $lang }` is not a language to translate into (nn, en)
catalogue-translation-variants = terms `{ $terms }@{ $version }`: the `{ $lang }` translation must name the same variants as `fil`
catalogue-unknown-terms = service `{ $service }` names unknown terms `{ $terms }`
catalogue-unknown-required = service `{ $service }` requires unknown service `{ $required }`
catalogue-basis-type = basis type `{ $kind }` is neither `hjemmel` nor `samtykke`
catalogue-consent-code = consent package `{ $service }.{ $package }` needs `samtykkekode`

## Printing (src/document)

char-control = a control character cannot be printed
char-separator = a line or paragraph separator cannot be printed
char-bidi = a bidirectional control character would reorder the printed text
char-no-font = no font in the document can show `{ $char }`
unsupported-character = { $why } (U+{ $code })
unsupported-character-help = replace the character, or write the name as registered in Enhetsregisteret
text-overflow = `{ $text }` runs off the page: a word of { $length } characters cannot be wrapped
text-overflow-help = break the value with spaces, or shorten it

## The command line (src/cli, src/commands)

console-note = note
summary = checked { $files } { $files ->
        [one] file
       *[other] files
    }, { $agreements } { $agreements ->
        [one] agreement
       *[other] agreements
    }: { $errors } { $errors ->
        [one] error
       *[other] errors
    }, { $warnings } { $warnings ->
        [one] warning
       *[other] warnings
    }{ $notes }
summary-notes = , { $notes } { $notes ->
        [one] note
       *[other] notes
    }
cli-no-subcommand = no subcommand `{ $name }`
cli-parse-unknown-subcommand = unrecognized subcommand `{ $name }`
cli-parse-unknown-argument = unexpected argument `{ $arg }`
cli-parse-invalid-value = `{ $value }` is not a valid value for `{ $arg }`
cli-parse-missing-argument = `{ $arg }` is required but missing
cli-parse-conflict = `{ $arg }` cannot be used with `{ $other }`
cli-parse-values = wrong number of values for `{ $arg }`
cli-parse-missing-subcommand = a subcommand is required
cli-parse-did-you-mean = did you mean `{ $suggestion }`?
cli-parse-valid-values = possible values: { $values }
cli-parse-usage = Usage:
cli-parse-more-help = For more information, try: avtale --help
cannot-read = cannot read { $file }
cannot-write = cannot write { $file }: { $error }
cannot-create = cannot create { $file }: { $error }
cannot-write-report = cannot write report { $file }: { $error }
cannot-read-stdin = cannot read standard input: { $error }
not-utf8-text = { $file } is not UTF-8 text
config-not-utf8 = { $file } is not UTF-8
catalogue-broken = the catalogue is broken; nothing was checked
build-signed-kept = { $file } holds a digital signature and was not overwritten; move it away or use --force
build-summary = built { $built }, up to date { $up_to_date }, failed { $failed }, in { $seconds } s (output: { $output })
build-built = built { $file } ({ $pages } pages)
language-tables-broken =
    the language tables are broken:
      { $errors }
diff-has-errors = { $side } cannot be compared while it has errors
extract-no-attachments = { $file } has no attached files (was it built with --no-attachments?)
extract-unusable-name = skipped an attachment with an unusable name { $name }
extract-exists = { $file } exists; use --force to replace it
impact-incomplete = files that cannot be read leave the answer incomplete
new-exists = { $file } exists; new never overwrites a file
new-wrote = wrote { $file }; fill in every FYLL UT, then run avtale check { $file }
render-no-agreement = no agreement in { $file }
render-no-agreement-with-id = no agreement with id `{ $id }` in { $file }
sign-done = signed field { $field } as { $subject }; wrote { $file }
sign-output-is-input = { $file } is the input; sign writes a new file (-o)
sign-exists = { $file } exists; sign never overwrites a file
sign-no-password-env = the environment variable { $var } holds no password
sign-cannot-ask = cannot ask for the password ({ $error }); give it with --password-env or --password-file
watch-cannot = cannot watch files: { $error }
watch-cannot-file = cannot watch { $file }: { $error }
watch-problems = the build found problems; fix them and save again
cannot-read-error = cannot read { $file }: { $error }
no-agreement-files = no agreement files (*.toml) found under { $dir }
file-too-large = { $file } is { $size } MiB, over the limit of { $limit } MiB for this kind of file
file-over-limit = { $file } is over the limit of { $limit } MiB
over-size-limit = { $file } is over the size limit
template-failed =
    the document template failed:
    { $error }
cannot-write-output-dir = cannot write to output directory { $dir }: { $error }

## Rule codes: what each is about (the SARIF rule descriptions)

rule-toml-syntax = The file is not valid TOML (or not UTF-8)
rule-csv-syntax = A member CSV is malformed
rule-format-version = `format` is missing or not 1
rule-unknown-key = A key the format does not have
rule-missing-field = A required key is absent
rule-invalid-type = A value of the wrong TOML type
rule-invalid-value = A value outside its allowed set
rule-orgnr-format = An organisation number that is not 9 digits
rule-orgnr-checksum = An organisation number whose mod-11 check digit is wrong
rule-orgnr-test-range = An organisation number outside the real range in an agreement not marked as test data
rule-email = Not a plausible e-mail address
rule-phone = Not a plausible telephone number
rule-postnummer = A postal code that is not 4 digits
rule-url = A return URL that is not an absolute https address
rule-date-order = Dates in the wrong order
rule-duplicate-id = Two agreements with the same id in one run
rule-unknown-service = A service not in the catalogue
rule-unknown-rights-package = A rights package the service does not offer
rule-duplicate-service = The same service and package requested twice
rule-basis-not-allowed = A disclosure basis the rights package does not allow
rule-missing-own-statute = The rights package demands `egen_hjemmel` and it is missing
rule-consent-redirect = A consent package without `retur_url`, or `retur_url` on a statutory one
rule-requires-service = A service that needs another one without it
rule-unknown-terms-version = A pinned terms version the catalogue does not have
rule-terms-withdrawn = A pinned terms version that is withdrawn
rule-terms-superseded = A pinned terms version with a newer current one
rule-missing-contact-role = No business or no technical contact
rule-missing-signatory = No signatory
rule-delegation-reference = A delegated authority without its reference, or a reference without it
rule-processor-service = A data processor lists a service the agreement does not request
rule-segment-owner-self = The segment owner is the consumer itself
rule-short-purpose = A purpose shorter than 20 characters
rule-basis-combination = A statutory disclosure basis with a consent processing basis
rule-processor-required = A vendor connection for a service no data processor covers
rule-platform-without-segment = A segment platform connection without a segment
rule-placeholder = A value still holding a placeholder
rule-sample-terms = An agreement to be signed pins a sample terms text
rule-terms-language-fallback = A pinned terms version has no text in the agreement's language
rule-unsupported-character = A character no shipped font can draw, or a control character
rule-text-overflow = A word too long to wrap would run off the page
rule-catalogue = A problem in the catalogue

## Changes in plain words (src/review/changes.rs): `avtale diff` and the editor's save dialog

change-value = { $what ->
        [language] the language
        [agreement-id] the agreement id
        [date] the date
        [status] the status
        [start-date] the start date
        [replaced] the replaced agreement
        [consumer-name] the consumer's name
        [consumer-orgnr] the consumer's organisation number
        [organisation-form] the organisation form
        [postal-address] the postal address
        [notification-address] the notification address
        [segment] the segment
        [contact-name] the { $role } contact's name
        [contact-title] the { $role } contact's title
        [contact-email] the { $role } contact's e-mail
        [contact-phone] the { $role } contact's phone
        [service-purpose] `{ $id }`: the purpose
        [service-environments] `{ $id }`: the environments
        [service-connection] `{ $id }`: the connection
        [service-disclosure-basis] `{ $id }`: the disclosure basis
        [service-processing-basis] `{ $id }`: the processing basis
        [service-own-statute] `{ $id }`: the own statute
        [service-return-addresses] `{ $id }`: the return addresses
        [terms-of-use] bruksvilkår for `{ $id }`
       *[other] { $what }
    } changed from «{ $old }» to «{ $new }»
change-contact-removed = the { $role } contact { $name } removed
change-contact-added = a { $role } contact added: { $name } ({ $email })
change-signatory-removed = signatory removed: { $entry }
change-signatory-added = signatory added: { $entry }
change-service-removed = service `{ $id }` with rights package `{ $package }` removed
change-service-added = service `{ $id }` added with rights package `{ $package }` ({ $basis })
change-processor-removed = data processor removed or changed: { $entry }
change-processor-added = data processor added or changed: { $entry }
change-sharing-terms = delingsvilkår { $old } → { $new }
change-agreement-removed = agreement { $id } removed
change-agreement-added = agreement { $id } added

## The local web editor (src/commands/serve.rs)

serve-running = The editor for { $dir } is running: open the address above in a browser; stop it with Ctrl+C.
serve-no-browser = cannot open a browser; open the address above by hand
