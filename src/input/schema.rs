//! A JSON Schema (draft 07) of agreement files and segment files, for editors such as
//! taplo / Even Better TOML that complete and check TOML against a JSON Schema.
//!
//! The types here mirror the format only to describe it: the real reader is
//! [`crate::input::model`] (agreements) and [`crate::input::load`] (segment files). Their doc comments
//! become the schema's Norwegian descriptions. The built-in catalogue adds its services,
//! rights packages and terms versions as enumerations, with a description of each value and,
//! per service and rights package, the values that go together. Rules that look across an
//! agreement (ids, dates, contact roles after merging) stay with `avtale check`.
//!
//! The root is one object with the keys of both kinds of file, told apart by `if`/`then`/
//! `else` on `felles`; see [`schema_value_for`] for why not a `oneOf`. Taplo (0.9) reports an
//! unknown key as "Additional properties are not allowed ('x' was unexpected)" on the table
//! that has it, and a wrong value at the value.
//!
//! TOML dates are described as strings with `format: date`, as taplo presents them.

use schemars::generate::SchemaSettings;

use crate::base::diag::Sources;
use crate::catalog::assets::Assets;
use crate::catalog::{CATALOGUE_FILE, Catalogue};
use schemars::{JsonSchema, Schema, json_schema};
use serde_json::{Map, Value};

/// The schema's `$id`.
pub const SCHEMA_ID: &str = "https://avtale.example/schema/avtale.schema.json";

/// A required string must contain something other than whitespace.
const TEKST: &str = r"\S";
/// 9 digits; whitespace allowed anywhere (it is removed before checking).
const ORGNR: &str = r"^\s*(?:[0-9]\s*){9}$";
const POSTNUMMER: &str = r"^[0-9]{4}$";
/// The id names the PDF file.
const AVTALE_ID: &str = r"^[A-Za-z0-9._-]+$";
const ORGANISASJONSFORM: &str = r"^[A-Z]{2,4}$";
/// `rules::plausible_email`: one `@`, no whitespace, control characters or
/// `< > ( ) [ ] , ; : " \`, and a domain of at least two non-empty labels that do not
/// start or end with `-`.
const EPOST: &str = concat!(
    r#"^[^@\s\x00-\x1F\x7F-\x9F<>()\[\],;:"\\]+@"#,
    r#"[^@\s\x00-\x1F\x7F-\x9F<>()\[\],;:"\\.\-](?:[^@\s\x00-\x1F\x7F-\x9F<>()\[\],;:"\\.]*[^@\s\x00-\x1F\x7F-\x9F<>()\[\],;:"\\.\-])?"#,
    r#"(?:\.[^@\s\x00-\x1F\x7F-\x9F<>()\[\],;:"\\.\-](?:[^@\s\x00-\x1F\x7F-\x9F<>()\[\],;:"\\.]*[^@\s\x00-\x1F\x7F-\x9F<>()\[\],;:"\\.\-])?)+$"#
);
/// `rules::plausible_phone`: after removing spaces, 8 digits or `+` and 7 to 15 digits.
const TELEFON: &str = r"^ *(?:\+ *(?:[0-9] *){7,15}|(?:[0-9] *){8})$";
/// At least 20 characters after trimming.
const FORMAAL: &str = r"\S[\s\S]{18,}\S";
const HTTPS_URL: &str = r"^https://[^/?#\s]+";

/// `format = 1`.
fn format_schema(_: &mut schemars::SchemaGenerator) -> Schema {
    json_schema!({ "type": "integer", "const": 1 })
}

// ---------------------------------------------------------------------------------------
// Enumerations

/// Dokumentets språk.
#[derive(JsonSchema)]
#[schemars(inline, rename_all = "snake_case")]
#[allow(dead_code)]
enum Spraak {
    Nb,
    Nn,
    En,
}

/// Avtalens status.
#[derive(JsonSchema)]
#[schemars(inline, rename_all = "snake_case")]
#[allow(dead_code)]
enum Status {
    Utkast,
    TilSignering,
    Signert,
}

/// Kontaktpersonens rolle.
#[derive(JsonSchema)]
#[schemars(inline, rename_all = "snake_case")]
#[allow(dead_code)]
enum KontaktRolle {
    Forretning,
    Teknisk,
    Juridisk,
    Personvern,
    Sikkerhet,
}

/// Signatarens fullmakt.
#[derive(JsonSchema)]
#[schemars(inline, rename_all = "snake_case")]
#[allow(dead_code)]
enum Fullmakt {
    Signaturrett,
    Prokura,
    DagligLeder,
    Ordfoerer,
    Delegert,
}

/// Databehandlerens rolle.
#[derive(JsonSchema)]
#[schemars(inline, rename_all = "snake_case")]
#[allow(dead_code)]
enum DatabehandlerRolle {
    Systemleverandoer,
    Drift,
    Annen,
}

/// Miljø.
#[derive(JsonSchema)]
#[schemars(inline, rename_all = "snake_case")]
#[allow(dead_code)]
enum Miljoe {
    Test,
    Produksjon,
}

/// Tilkoblingsmåte.
#[derive(JsonSchema)]
#[schemars(inline, rename_all = "snake_case")]
#[allow(dead_code)]
enum Tilkobling {
    Direkte,
    Leverandoer,
    Segmentplattform,
}

/// Type utleveringsgrunnlag.
#[derive(JsonSchema)]
#[schemars(inline, rename_all = "snake_case")]
#[allow(dead_code)]
enum UtleveringType {
    Hjemmel,
    Samtykke,
}

/// Type behandlingsgrunnlag.
#[derive(JsonSchema)]
#[schemars(inline, rename_all = "snake_case")]
#[allow(dead_code)]
enum BehandlingType {
    Lov,
    Forskrift,
    Samtykke,
}

// ---------------------------------------------------------------------------------------
// Agreement files

/// Avtalefil: én konsumentavtale mellom Skatteetaten og én konsument (virksomheten som
/// mottar opplysningene og er behandlingsansvarlig for dem). Ukjente nøkler er feil.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Avtalefil {
    /// Filformatets versjon. Må være heltallet 1.
    #[schemars(schema_with = "format_schema")]
    format: i64,
    /// Selve avtalen: id, språk, status og datoer.
    avtale: Avtale,
    /// Konsumenten: virksomheten som mottar opplysningene.
    virksomhet: Virksomhet,
    /// Kontaktpersoner hos konsumenten, én tabell per person. Avtalen må ha minst én
    /// kontakt med rolle `forretning` og minst én med rolle `teknisk`.
    #[schemars(length(min = 1), extend("allOf" = [
        { "contains": { "type": "object", "properties": { "rolle": { "const": "forretning" } }, "required": ["rolle"] } },
        { "contains": { "type": "object", "properties": { "rolle": { "const": "teknisk" } }, "required": ["rolle"] } }
    ]))]
    kontakt: Vec<Kontakt>,
    /// Personer som signerer avtalen for konsumenten. Minst én.
    #[schemars(length(min = 1))]
    signatar: Vec<Signatar>,
    /// Segmentmedlemskap. Tas med når konsumenten deltar gjennom et segment (for eksempel
    /// kommunal sektor); da brukes segmentvarianten av delingsvilkårene, ellers varianten
    /// for enkeltstående konsumenter.
    segment: Option<Segment>,
    /// Databehandlere (systemleverandører eller driftsleverandører) som behandler
    /// opplysningene på konsumentens vegne. Valgfri.
    databehandler: Option<Vec<Databehandler>>,
    /// Fastlåst versjon av de generelle delingsvilkårene.
    vilkaar: Vilkaar,
    /// Delingstjenestene det bes om, én tabell per tjeneste og rettighetspakke. Minst én.
    #[schemars(length(min = 1))]
    tjeneste: Vec<Tjeneste>,
}

/// Selve avtalen: id, språk, status og datoer.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Avtale {
    /// Avtalens id, for eksempel `KA-2026-0001`. Bare bokstavene A–Z og a–z, sifre, `-`,
    /// `_` og `.`: id-en blir filnavnet til PDF-en (`<id>.pdf`). Må være unik blant alle
    /// avtaler som kontrolleres eller bygges samtidig.
    #[schemars(pattern(AVTALE_ID))]
    id: String,
    /// Dokumentets språk: `nb` (bokmål), `nn` (nynorsk) eller `en` (engelsk). Standard er
    /// `nb`. Alle tre kan bygges til PDF; et vilkårsdokument som ikke finnes på språket,
    /// tas med på bokmål.
    spraak: Option<Spraak>,
    /// Avtalens status: `utkast`, `til_signering` eller `signert`. Standard er `utkast`.
    status: Option<Status>,
    /// Avtalens dato, skrevet som TOML-dato uten anførselstegn (`2026-02-16`). Skrives i
    /// dokumentet og brukes som PDF-ens opprettelsesdato.
    #[schemars(extend("format" = "date"))]
    dato: String,
    /// Datoen avtalen gjelder fra, uten anførselstegn. Kan ikke være før `dato`. Valgfri.
    #[schemars(extend("format" = "date"))]
    gyldig_fra: Option<String>,
    /// Id-en til en tidligere avtale som denne avtalen erstatter. Valgfri.
    erstatter: Option<String>,
    /// Skatteetatens vedtak om tilgang eller saksnummer, når det finnes. Valgfri.
    vedtak: Option<String>,
    /// `true` markerer syntetiske testdata: da gir organisasjonsnumre som ikke begynner på
    /// 8 eller 9, ingen advarsel. Standard er `false`.
    testdata: Option<bool>,
}

/// Konsumenten: virksomheten som mottar opplysningene.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Virksomhet {
    /// Virksomhetens registrerte navn.
    #[schemars(pattern(TEKST))]
    navn: String,
    /// Hovedenhetens organisasjonsnummer som streng med 9 sifre, for eksempel
    /// `"974 761 076"` (mellomrom er tillatt). Siste siffer er et kontrollsiffer (modulus 11).
    #[schemars(pattern(ORGNR))]
    organisasjonsnummer: String,
    /// Organisasjonsformkode fra Enhetsregisteret: 2–4 store bokstaver, for eksempel `AS`,
    /// `ASA`, `KOMM` eller `ORGL`. Valgfri.
    #[schemars(pattern(ORGANISASJONSFORM))]
    organisasjonsform: Option<String>,
    /// Virksomhetens postadresse, vanligvis som innebygd tabell:
    /// `{ adresse = "…", postnummer = "0150", poststed = "…" }`.
    postadresse: Postadresse,
    /// E-postadressen der Skatteetaten sender varsler til virksomheten.
    #[schemars(pattern(EPOST))]
    varslingsadresse: String,
}

/// Postadresse: alle tre nøklene er påkrevd.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Postadresse {
    /// Gateadresse eller postboks.
    #[schemars(pattern(TEKST))]
    adresse: String,
    /// Postnummer som streng med nøyaktig 4 sifre, for eksempel `"0150"`.
    #[schemars(pattern(POSTNUMMER))]
    postnummer: String,
    /// Poststed.
    #[schemars(pattern(TEKST))]
    poststed: String,
}

/// En kontaktperson hos konsumenten.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Kontakt {
    /// Kontaktpersonens rolle: `forretning`, `teknisk`, `juridisk`, `personvern` eller
    /// `sikkerhet`.
    rolle: KontaktRolle,
    /// Kontaktpersonens fulle navn.
    #[schemars(pattern(TEKST))]
    navn: String,
    /// Kontaktpersonens stillingstittel. Valgfri.
    tittel: Option<String>,
    /// Kontaktpersonens e-postadresse.
    #[schemars(pattern(EPOST))]
    epost: String,
    /// Telefonnummer: 8 sifre (`"912 34 567"`) eller `+` og 7–15 sifre
    /// (`"+47 912 34 567"`). Bare mellomrom er tillatt som skilletegn. Valgfri.
    #[schemars(pattern(TELEFON))]
    telefon: Option<String>,
}

/// En person med myndighet til å signere for konsumenten.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, extend(
    "if" = { "properties": { "fullmakt": { "const": "delegert" } }, "required": ["fullmakt"] },
    "then" = { "required": ["fullmakt_referanse"] },
    "else" = { "not": { "required": ["fullmakt_referanse"] } }
))]
#[allow(dead_code)]
struct Signatar {
    /// Signatarens fulle navn.
    #[schemars(pattern(TEKST))]
    navn: String,
    /// Signatarens tittel, for eksempel `Daglig leder` eller `Ordfører`.
    #[schemars(pattern(TEKST))]
    tittel: String,
    /// Grunnlaget for myndigheten til å signere: `signaturrett`, `prokura`,
    /// `daglig_leder`, `ordfoerer` eller `delegert`.
    fullmakt: Fullmakt,
    /// Henvisning til delegeringsvedtaket. Påkrevd når `fullmakt = "delegert"`, og bare
    /// tillatt da.
    fullmakt_referanse: Option<String>,
    /// Signatarens e-postadresse. Valgfri.
    #[schemars(pattern(EPOST))]
    epost: Option<String>,
}

/// Segmentmedlemskap: segmentet konsumenten deltar gjennom, og segmentets ansvarlige
/// virksomhet.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Segment {
    /// Segmentets id, for eksempel `kommunal-sektor`.
    #[schemars(pattern(TEKST))]
    id: String,
    /// Segmentets ansvarlige virksomhet:
    /// `{ navn = "…", organisasjonsnummer = "…" }`.
    ansvarlig: Ansvarlig,
    /// Segmentavtalen medlemmet hører inn under (navn eller referanse). Valgfri.
    avtale: Option<String>,
}

/// Segmentets ansvarlige virksomhet.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Ansvarlig {
    /// Den ansvarlige virksomhetens navn.
    #[schemars(pattern(TEKST))]
    navn: String,
    /// Den ansvarlige virksomhetens organisasjonsnummer: 9 sifre som streng, mellomrom er
    /// tillatt.
    #[schemars(pattern(ORGNR))]
    organisasjonsnummer: String,
}

/// En databehandler som behandler opplysningene på konsumentens vegne.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Databehandler {
    /// Databehandlerens navn.
    #[schemars(pattern(TEKST))]
    navn: String,
    /// Databehandlerens organisasjonsnummer: 9 sifre som streng, mellomrom er tillatt.
    #[schemars(pattern(ORGNR))]
    organisasjonsnummer: String,
    /// Databehandlerens rolle: `systemleverandoer` (systemleverandør), `drift`
    /// (driftsleverandør) eller `annen`.
    rolle: DatabehandlerRolle,
    /// Datoen databehandleravtalen ble inngått, uten anførselstegn. Kan ikke være etter
    /// avtalens `dato`.
    #[schemars(extend("format" = "date"))]
    databehandleravtale: String,
    /// Id-ene til de tjenestene i avtalen som databehandleren håndterer. Minst én, og hver
    /// må være `id` til en `[[tjeneste]]` i samme avtale.
    #[schemars(length(min = 1))]
    tjenester: Vec<String>,
}

/// Fastlåst versjon av de generelle delingsvilkårene. Varianten følger av om `[segment]`
/// er med.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Vilkaar {
    /// Versjonen av delingsvilkårene avtalen bygger på, for eksempel `"2022-05"`. Må finnes
    /// i katalogen og ikke være trukket.
    #[schemars(pattern(TEKST))]
    delingsvilkaar: String,
}

/// En delingstjeneste det bes om, med rettighetspakke, vilkår, formål og rettslig grunnlag.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Tjeneste {
    /// Tjenestens id i katalogen, for eksempel `inntekt`, `summertskattegrunnlag` eller
    /// `folkeregisteret`.
    #[schemars(pattern(TEKST))]
    id: String,
    /// Rettighetspakken i tjenesten, for eksempel `kommuneforeldrebetaling` eller `sbl`.
    /// Må være en pakke tjenesten tilbyr.
    #[schemars(pattern(TEKST))]
    rettighetspakke: String,
    /// Fastlåst versjon av tjenestens bruksvilkår, for eksempel `"2024-09"`. Katalogen sier
    /// hvilket vilkårsdokument som gjelder for tjenesten.
    #[schemars(pattern(TEKST))]
    bruksvilkaar: String,
    /// Hva opplysningene skal brukes til. Minst 20 tegn.
    #[schemars(pattern(FORMAAL))]
    formaal: String,
    /// Miljøene det bes om tilgang til: `test` og/eller `produksjon`, hver høyst én gang.
    /// Standard er begge.
    #[schemars(length(min = 1), extend("uniqueItems" = true))]
    miljoe: Option<Vec<Miljoe>>,
    /// Hvordan konsumenten kobler seg til: `direkte`, `leverandoer` (gjennom en
    /// leverandør) eller `segmentplattform` (gjennom segmentets felles plattform). Valgfri.
    tilkobling: Option<Tilkobling>,
    /// Adressene Altinn kan sende brukeren tilbake til etter samtykke, hver en fullstendig
    /// `https://`-adresse. Påkrevd for samtykkepakker, ikke tillatt for pakker med
    /// hjemmel i lov.
    #[schemars(length(min = 1), inner(pattern(HTTPS_URL)))]
    retur_url: Option<Vec<String>>,
    /// Grunnlaget for å få utlevert opplysningene (opphever taushetsplikten).
    utleveringsgrunnlag: Utleveringsgrunnlag,
    /// Grunnlaget for å behandle opplysningene.
    behandlingsgrunnlag: Behandlingsgrunnlag,
}

/// Grunnlaget for å få utlevert opplysningene.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Utleveringsgrunnlag {
    /// Type grunnlag: `hjemmel` (hjemmel i lov) eller `samtykke`. Må være en type
    /// rettighetspakken tillater.
    #[schemars(rename = "type")]
    kind: UtleveringType,
    /// Lovbestemmelsen eller samtykket grunnlaget bygger på, for eksempel
    /// `skatteforvaltningsloven § 3-3`.
    #[schemars(pattern(TEKST))]
    henvisning: String,
    /// Konsumentens egen lovhjemmel. Påkrevd for rettighetspakker som krever det (for
    /// eksempel Folkeregisteret `offentligmedhjemmel`), ellers valgfri.
    egen_hjemmel: Option<String>,
}

/// Grunnlaget for å behandle opplysningene.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Behandlingsgrunnlag {
    /// Type grunnlag: `lov`, `forskrift` eller `samtykke`.
    #[schemars(rename = "type")]
    kind: BehandlingType,
    /// Bestemmelsen behandlingen bygger på.
    #[schemars(pattern(TEKST))]
    henvisning: String,
}

// ---------------------------------------------------------------------------------------
// Segment files

/// Segmentfil: én avtale per medlem i et segment. Filen er en segmentfil når den har
/// nøkkelen `felles`. Medlemmene oppgis enten i en CSV-fil (`medlemmer`) eller som
/// `[[medlem]]`-tabeller, ikke begge.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Segmentfil {
    /// Filformatets versjon. Må være heltallet 1.
    #[schemars(schema_with = "format_schema")]
    format: i64,
    /// Stien til medlemslisten, en CSV-fil eller en Excel-arbeidsbok (`.xlsx`), relativ til
    /// mappen segmentfilen ligger i. Må skrives før den første tabellen. Brukes i stedet for
    /// `[[medlem]]`.
    #[schemars(pattern(TEKST))]
    medlemmer: Option<String>,
    /// Skilletegnet i CSV-filen: `","` eller `";"` (norsk Excels «CSV (semikolondelt)»).
    /// Uten nøkkelen finnes det fra overskriftsraden.
    #[schemars(schema_with = "skilletegn_schema")]
    skilletegn: Option<String>,
    /// Arket som leses når `medlemmer` er en Excel-arbeidsbok. Uten nøkkelen leses det første.
    #[schemars(pattern(TEKST))]
    ark: Option<String>,
    /// Segmentmedlemskap som gjelder alle medlemmene. Uten `[segment]` blir medlemmene
    /// enkeltstående avtaler.
    segment: Option<Segment>,
    /// Tabellene alle medlemmene deler. Et medlems egne tabeller kombineres med disse:
    /// `avtale`, `virksomhet` og `vilkaar` flettes nøkkel for nøkkel, mens `kontakt`,
    /// `signatar`, `databehandler` og `tjeneste` erstattes i sin helhet.
    felles: Felles,
    /// Medlemmene skrevet i TOML, én tabell per medlem. Brukes i stedet for `medlemmer`.
    #[schemars(length(min = 1))]
    medlem: Option<Vec<Medlem>>,
}

/// Tabellene alle medlemmene i segmentet deler.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Felles {
    /// Felles nøkler i `[avtale]`, vanligvis `dato`, `status` og `testdata`. Bør ikke ha
    /// `id`: hvert medlem trenger sin egen.
    avtale: Option<AvtaleDel>,
    /// Felles nøkler i `[virksomhet]`.
    virksomhet: Option<VirksomhetDel>,
    /// Felles kontaktpersoner; brukes for medlemmer som ikke har egne.
    kontakt: Option<Vec<Kontakt>>,
    /// Felles signatarer; brukes for medlemmer som ikke har egne.
    signatar: Option<Vec<Signatar>>,
    /// Felles databehandlere; brukes for medlemmer som ikke har egne.
    databehandler: Option<Vec<Databehandler>>,
    /// Felles versjon av delingsvilkårene.
    vilkaar: Option<VilkaarDel>,
    /// Felles delingstjenester; brukes for medlemmer som ikke har egne.
    tjeneste: Option<Vec<Tjeneste>>,
}

/// Ett medlem i segmentet, med medlemmets egne tabeller.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Medlem {
    /// Medlemmets nøkler i `[avtale]`, minst `id`; flettes med de felles nøklene.
    avtale: Option<AvtaleDel>,
    /// Medlemmets nøkler i `[virksomhet]`; flettes med de felles nøklene.
    virksomhet: Option<VirksomhetDel>,
    /// Medlemmets kontaktpersoner; erstatter de felles.
    kontakt: Option<Vec<Kontakt>>,
    /// Medlemmets signatarer; erstatter de felles.
    signatar: Option<Vec<Signatar>>,
    /// Medlemmets databehandlere; erstatter de felles.
    databehandler: Option<Vec<Databehandler>>,
    /// Medlemmets versjon av delingsvilkårene; erstatter den felles.
    vilkaar: Option<VilkaarDel>,
    /// Medlemmets delingstjenester; erstatter de felles.
    tjeneste: Option<Vec<Tjeneste>>,
}

/// Nøkler i `[avtale]` i en segmentfil. Alle er valgfrie her; etter flettingen må hvert
/// medlems avtale ha `id` og `dato`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct AvtaleDel {
    /// Avtalens id, for eksempel `KA-2026-S001`. Bare bokstavene A–Z og a–z, sifre, `-`,
    /// `_` og `.`. Må være unik, så den hører hjemme hos hvert medlem.
    #[schemars(pattern(AVTALE_ID))]
    id: Option<String>,
    /// Dokumentets språk: `nb` (bokmål), `nn` (nynorsk) eller `en` (engelsk). Standard er
    /// `nb`. Alle tre kan bygges til PDF.
    spraak: Option<Spraak>,
    /// Avtalens status: `utkast`, `til_signering` eller `signert`. Standard er `utkast`.
    status: Option<Status>,
    /// Avtalens dato, skrevet som TOML-dato uten anførselstegn (`2026-03-02`).
    #[schemars(extend("format" = "date"))]
    dato: Option<String>,
    /// Datoen avtalen gjelder fra, uten anførselstegn. Kan ikke være før `dato`.
    #[schemars(extend("format" = "date"))]
    gyldig_fra: Option<String>,
    /// Id-en til en tidligere avtale som denne avtalen erstatter.
    erstatter: Option<String>,
    /// Skatteetatens vedtak om tilgang eller saksnummer, når det finnes.
    vedtak: Option<String>,
    /// `true` markerer syntetiske testdata (organisasjonsnumre som ikke begynner på 8 eller
    /// 9). Standard er `false`.
    testdata: Option<bool>,
}

/// Nøkler i `[virksomhet]` i en segmentfil. Alle er valgfrie her; etter flettingen må hvert
/// medlems avtale ha `navn`, `organisasjonsnummer`, `postadresse` og `varslingsadresse`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct VirksomhetDel {
    /// Virksomhetens registrerte navn.
    #[schemars(pattern(TEKST))]
    navn: Option<String>,
    /// Hovedenhetens organisasjonsnummer som streng med 9 sifre (mellomrom er tillatt).
    #[schemars(pattern(ORGNR))]
    organisasjonsnummer: Option<String>,
    /// Organisasjonsformkode fra Enhetsregisteret: 2–4 store bokstaver, for eksempel `KOMM`.
    #[schemars(pattern(ORGANISASJONSFORM))]
    organisasjonsform: Option<String>,
    /// Virksomhetens postadresse. Erstatter en felles postadresse i sin helhet, så alle
    /// tre nøklene må være med.
    postadresse: Option<Postadresse>,
    /// E-postadressen der Skatteetaten sender varsler til virksomheten.
    #[schemars(pattern(EPOST))]
    varslingsadresse: Option<String>,
}

/// `[vilkaar]` i en segmentfil.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct VilkaarDel {
    /// Versjonen av delingsvilkårene, for eksempel `"2022-05"`.
    #[schemars(pattern(TEKST))]
    delingsvilkaar: Option<String>,
}

// ---------------------------------------------------------------------------------------
// The schema document

/// The schema as a JSON value, with the built-in catalogue's services, rights packages and
/// terms versions as enumerations.
pub fn schema_value() -> Value {
    let cat = Catalogue::load(&Assets::Embedded, CATALOGUE_FILE, &mut Sources::default()).ok();
    schema_value_for(cat.as_ref())
}

/// The schema as a JSON value for a catalogue; without one, services, rights packages and
/// terms versions are free text.
///
/// The root is one object whose `properties` are the union of the keys of agreement files
/// and segment files, so that editors complete every key; `if`/`then`/`else` on the
/// presence of `felles` then says which keys the file may and must have. (A root `oneOf`
/// of the two kinds makes taplo report any mistake as one error about the whole document,
/// and taplo completes from `properties` only, not from `then`/`else`.)
pub fn schema_value_for(cat: Option<&Catalogue>) -> Value {
    let mut generator = SchemaSettings::draft07().into_generator();
    generator.subschema_for::<Avtalefil>();
    generator.subschema_for::<Segmentfil>();
    let mut definitions: Map<String, Value> = generator.take_definitions(true);
    let avtalefil = definitions.remove("Avtalefil").expect("Avtalefil is a definition");
    let segmentfil = definitions.remove("Segmentfil").expect("Segmentfil is a definition");
    let keys = |v: &Value, what: &str| -> Vec<String> {
        v[what]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|k| k.as_str().map(String::from))
            .collect()
    };
    let agreement_keys: Vec<String> = avtalefil["properties"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let agreement_required = keys(&avtalefil, "required");
    let mut properties = avtalefil["properties"].as_object().cloned().unwrap_or_default();
    for (k, v) in segmentfil["properties"].as_object().into_iter().flatten() {
        properties.entry(k.clone()).or_insert_with(|| v.clone());
    }
    properties["segment"]["description"] = Value::String(
        "Segmentmedlemskap. I en avtalefil: tas med når konsumenten deltar gjennom et segment (for \
         eksempel kommunal sektor); da brukes segmentvarianten av delingsvilkårene, ellers varianten for \
         enkeltstående konsumenter. I en segmentfil: gjelder alle medlemmene; uten `[segment]` blir \
         medlemmene enkeltstående avtaler."
            .into(),
    );
    let allowed =
        |list: &[&str]| -> Value { Value::Object(list.iter().map(|k| (k.to_string(), Value::Bool(true))).collect()) };
    let agreement_allowed: Vec<&str> = agreement_keys.iter().map(String::as_str).collect();
    let mut root = serde_json::json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "avtale: avtalefil eller segmentfil (format 1)",
        "description": "Konsumentavtale om deling av opplysninger fra Skatteetaten, skrevet i TOML: \
            enten en avtalefil (én avtale) eller en segmentfil (én avtale per medlem, kjennetegnet \
            av nøkkelen `felles`). Skjemaet beskriver nøkler, typer og former, og tjenestene, \
            rettighetspakkene og vilkårsversjonene i katalogen; `avtale check` kontrollerer i \
            tillegg reglene som gjelder hele avtalen.",
        "type": "object",
        "properties": properties,
        "if": { "required": ["felles"] },
        "then": {
            "description": segmentfil["description"],
            "required": ["format", "felles"],
            "if": { "required": ["medlemmer"] },
            "then": {
                "properties": allowed(&["format", "medlemmer", "skilletegn", "ark", "segment", "felles"]),
                "additionalProperties": false
            },
            "else": {
                "required": ["medlem"],
                "properties": allowed(&["format", "segment", "felles", "medlem"]),
                "additionalProperties": false
            }
        },
        "else": {
            "description": avtalefil["description"],
            "required": agreement_required,
            "properties": allowed(&agreement_allowed),
            "additionalProperties": false
        },
        "definitions": definitions,
    });
    if let Some(cat) = cat {
        catalogue::apply(&mut root["definitions"], cat);
    }
    tidy(&mut root);
    sort_keys(root)
}

/// The schema as pretty JSON with a trailing newline; the same bytes every time.
pub fn schema_json() -> String {
    to_json(&schema_value())
}

/// [`schema_json`] for a catalogue.
pub fn schema_json_for(cat: Option<&Catalogue>) -> String {
    to_json(&schema_value_for(cat))
}

fn to_json(v: &Value) -> String {
    let mut out = serde_json::to_string_pretty(v).expect("a JSON value always serializes");
    out.push('\n');
    out
}

/// What the catalogue adds: services, rights packages and terms versions as enumerations
/// with a description of each value (taplo shows `x-taplo.docs.enumValues` when it
/// completes a value), and per service (`if`/`then` on `id`) the rights packages it offers
/// and the versions of its terms of use, and per rights package the disclosure bases it
/// allows, whether it needs `egen_hjemmel` and whether `retur_url` is required or not
/// allowed.
mod catalogue {
    use serde_json::{Value, json};

    use crate::catalog::{Catalogue, DELINGSVILKAAR, TermsDoc, TermsStatus};

    /// `enum` with taplo's per-value documentation.
    fn described_enum(values: &[(String, String)]) -> Value {
        json!({
            "enum": values.iter().map(|(v, _)| v.clone()).collect::<Vec<_>>(),
            "x-taplo": { "docs": { "enumValues": values.iter().map(|(_, d)| d.clone()).collect::<Vec<_>>() } }
        })
    }

    /// Merge `extra` into the object `target`, replacing keys it has.
    fn extend(target: &mut Value, extra: Value) {
        if let (Some(t), Value::Object(e)) = (target.as_object_mut(), extra) {
            for (k, v) in e {
                t.insert(k, v);
            }
        }
    }

    /// Append a sentence to a description.
    fn describe(target: &mut Value, more: &str) {
        let d = target["description"].as_str().unwrap_or_default();
        target["description"] = Value::String(if d.is_empty() {
            more.to_string()
        } else {
            format!("{d} {more}")
        });
    }

    /// The versions of a terms document that may be pinned (not withdrawn), current first,
    /// each with its status.
    fn versions(doc: &TermsDoc) -> Vec<(String, String)> {
        let current = doc.current().map(|c| c.versjon.clone());
        let mut out: Vec<(String, String)> = doc
            .versjoner
            .iter()
            .filter(|v| v.status != TermsStatus::Trukket)
            .map(|v| {
                let what = match (v.status, &current) {
                    (TermsStatus::Erstattet, Some(c)) => format!("erstattet av `{c}`"),
                    (s, _) => s.label().to_string(),
                };
                (
                    v.versjon.clone(),
                    format!("`{}@{}`: {what}. {}", doc.id, v.versjon, doc.navn),
                )
            })
            .collect();
        out.sort_by_key(|(v, _)| Some(v) != current.as_ref());
        out
    }

    /// The sentence listing the pinnable versions and the withdrawn ones.
    fn versions_sentence(doc: &TermsDoc) -> String {
        let current = doc.current().map(|c| c.versjon.clone());
        let list = |status: TermsStatus| -> Vec<String> {
            doc.versjoner
                .iter()
                .filter(|v| v.status == status)
                .map(|v| format!("`{}`", v.versjon))
                .collect()
        };
        let mut s = format!("Versjoner av `{}` i katalogen:", doc.id);
        if let Some(c) = current {
            s.push_str(&format!(" gjeldende `{c}`"));
        }
        for (label, status) in [
            ("erstattet", TermsStatus::Erstattet),
            ("trukket (ikke tillatt)", TermsStatus::Trukket),
        ] {
            let l = list(status);
            if !l.is_empty() {
                s.push_str(&format!("; {label} {}", l.join(", ")));
            }
        }
        s.push('.');
        s
    }

    pub(super) fn apply(defs: &mut Value, cat: &Catalogue) {
        let services: Vec<(String, String)> = cat
            .tjenester
            .iter()
            .map(|s| {
                let mut d = format!("{} (bruksvilkår `{}`", s.navn, s.bruksvilkaar);
                if !s.krever.is_empty() {
                    d.push_str(&format!("; bestilles sammen med {}", s.krever.join(", ")));
                }
                d.push(')');
                (s.id.clone(), d)
            })
            .collect();
        let service_list = cat
            .tjenester
            .iter()
            .map(|s| format!("`{}` ({})", s.id, s.navn))
            .collect::<Vec<_>>()
            .join(", ");

        // Every rights package, with the services that offer it.
        let mut packages: Vec<(String, String)> = Vec::new();
        for s in &cat.tjenester {
            for p in &s.pakker {
                if packages.iter().any(|(id, _)| id == &p.id) {
                    continue;
                }
                let offered: Vec<&str> = cat
                    .tjenester
                    .iter()
                    .filter(|t| t.package(&p.id).is_some())
                    .map(|t| t.id.as_str())
                    .collect();
                packages.push((
                    p.id.clone(),
                    format!(
                        "{} ({}); tilbys av {}",
                        p.navn,
                        p.grunnlag.join(", "),
                        offered.join(", ")
                    ),
                ));
            }
        }

        // Every pinnable version of any terms of use, for completion; each service narrows it.
        let mut terms_of_use: Vec<(String, String)> = Vec::new();
        for doc in cat.vilkaar.iter().filter(|d| d.id != DELINGSVILKAAR) {
            for (v, d) in versions(doc) {
                match terms_of_use.iter_mut().find(|(x, _)| x == &v) {
                    Some((_, existing)) => {
                        existing.push_str("; ");
                        existing.push_str(&d);
                    }
                    None => terms_of_use.push((v, d)),
                }
            }
        }

        let t = &mut defs["Tjeneste"];
        let id = &mut t["properties"]["id"];
        if let Some(o) = id.as_object_mut() {
            o.remove("pattern");
        }
        extend(id, described_enum(&services));
        describe(id, &format!("Tjenestene i katalogen: {service_list}."));
        let pkg = &mut t["properties"]["rettighetspakke"];
        if let Some(o) = pkg.as_object_mut() {
            o.remove("pattern");
        }
        extend(pkg, described_enum(&packages));
        let bv = &mut t["properties"]["bruksvilkaar"];
        if let Some(o) = bv.as_object_mut() {
            o.remove("pattern");
        }
        extend(bv, described_enum(&terms_of_use));
        describe(bv, "Trukne versjoner er ikke tillatt.");

        // if id = s then …, else if id = s2 then …: one chain, no `allOf` (taplo completes
        // the keys of a table only from a schema without `allOf`).
        let mut chain = Value::Null;
        for s in cat.tjenester.iter().rev() {
            let mut then = json!({ "properties": {
                "rettighetspakke": described_enum(
                    &s.pakker.iter().map(|p| (p.id.clone(), format!("{} ({})", p.navn, p.grunnlag.join(", ")))).collect::<Vec<_>>()
                )
            }});
            if let Some(doc) = cat.terms(&s.bruksvilkaar) {
                then["properties"]["bruksvilkaar"] = described_enum(&versions(doc));
            }
            let mut pkg_chain = Value::Null;
            for p in s.pakker.iter().rev() {
                let mut pthen = json!({ "properties": {
                    "utleveringsgrunnlag": { "properties": { "type": { "enum": p.grunnlag } } }
                }});
                if p.krever_egen_hjemmel {
                    pthen["properties"]["utleveringsgrunnlag"]["required"] = json!(["egen_hjemmel"]);
                }
                if p.is_consent() {
                    pthen["required"] = json!(["retur_url"]);
                } else {
                    pthen["properties"]["retur_url"] = Value::Bool(false);
                }
                let mut step = json!({
                    "if": { "properties": { "rettighetspakke": { "const": p.id } }, "required": ["rettighetspakke"] },
                    "then": pthen,
                });
                if !pkg_chain.is_null() {
                    step["else"] = pkg_chain;
                }
                pkg_chain = step;
            }
            if let Value::Object(o) = pkg_chain {
                for (k, v) in o {
                    then[k] = v;
                }
            }
            let mut step = json!({
                "if": { "properties": { "id": { "const": s.id } }, "required": ["id"] },
                "then": then,
            });
            if !chain.is_null() {
                step["else"] = chain;
            }
            chain = step;
        }
        if let Value::Object(o) = chain {
            for (k, v) in o {
                t[k] = v;
            }
        }

        // A data processor's services are services of the agreement, so of the catalogue.
        let items = &mut defs["Databehandler"]["properties"]["tjenester"]["items"];
        extend(items, described_enum(&services));

        // Delingsvilkår.
        if let Some(doc) = cat.terms(DELINGSVILKAAR) {
            let sentence = versions_sentence(doc);
            for def in ["Vilkaar", "VilkaarDel"] {
                let d = &mut defs[def]["properties"]["delingsvilkaar"];
                if let Some(o) = d.as_object_mut() {
                    o.remove("pattern");
                }
                extend(d, described_enum(&versions(doc)));
                describe(d, &sentence);
            }
        }
        // The terms of use: which versions exist, per document.
        let sentences: Vec<String> = cat
            .vilkaar
            .iter()
            .filter(|d| d.id != DELINGSVILKAAR)
            .map(versions_sentence)
            .collect();
        describe(
            &mut defs["Tjeneste"]["properties"]["bruksvilkaar"],
            &sentences.join(" "),
        );
    }
}

/// TOML has no null: drop the `null` that schemars allows for `Option` fields. Join the
/// lines of doc-comment paragraphs. Keep `$ref` alone in its object (draft 07 ignores
/// siblings of `$ref`), moving it into `allOf` when it has company.
fn tidy(v: &mut Value) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(tidy),
        Value::Object(obj) => {
            obj.values_mut().for_each(tidy);
            if let Some(Value::Array(types)) = obj.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    obj.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(values)) = obj.get_mut("enum") {
                values.retain(|x| !x.is_null());
            }
            if let Some(Value::Array(branches)) = obj.get_mut("anyOf") {
                branches.retain(|b| b.get("type").is_none_or(|t| t != "null"));
                if branches.len() == 1
                    && let Value::Object(only) = branches.remove(0)
                {
                    obj.remove("anyOf");
                    for (k, x) in only {
                        obj.entry(k).or_insert(x);
                    }
                }
            }
            if let Some(Value::String(d)) = obj.get_mut("description") {
                *d = d
                    .split("\n\n")
                    .map(|p| p.lines().map(str::trim).collect::<Vec<_>>().join(" "))
                    .collect::<Vec<_>>()
                    .join("\n\n");
            }
            if obj.len() > 1
                && let Some(r) = obj.remove("$ref")
            {
                let reference = serde_json::json!({ "$ref": r });
                match obj.get_mut("allOf") {
                    Some(Value::Array(all)) => all.insert(0, reference),
                    _ => {
                        obj.insert("allOf".into(), Value::Array(vec![reference]));
                    }
                }
            }
        }
        _ => {}
    }
}

/// Rebuild every object with its keys in sorted order, so that the output is the same
/// whether or not `serde_json` preserves insertion order.
fn sort_keys(v: Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        Value::Object(obj) => {
            let mut entries: Vec<(String, Value)> = obj.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, x)| (k, sort_keys(x))).collect())
        }
        other => other,
    }
}

/// The CSV separators a segment file may declare.
fn skilletegn_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "enum": [",", ";"] })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_draft07() {
        let a = schema_json();
        assert_eq!(a, schema_json());
        assert!(a.ends_with("}\n"));
        assert!(!a.contains("\"null\""), "TOML has no null");
        let v: Value = serde_json::from_str(&a).unwrap();
        assert_eq!(v["$id"], SCHEMA_ID);
        assert!(
            v.get("oneOf").is_none(),
            "taplo reports a failed root oneOf as one error"
        );
        assert_eq!(v["if"]["required"][0], "felles");
        for key in ["avtale", "tjeneste", "felles", "medlem", "medlemmer"] {
            assert!(v["properties"][key].is_object(), "{key} is completed at the root");
        }
    }

    #[test]
    fn without_a_catalogue_services_are_free_text() {
        let v = schema_value_for(None);
        assert!(v["definitions"]["Tjeneste"]["properties"]["id"].get("enum").is_none());
        let with = schema_value();
        assert!(with["definitions"]["Tjeneste"]["properties"]["id"]["enum"].is_array());
    }

    #[test]
    fn every_key_has_a_description() {
        let v = schema_value();
        for (key, p) in v["properties"].as_object().unwrap() {
            assert!(
                p["description"].as_str().is_some_and(|d| !d.is_empty()),
                "no description for {key}"
            );
        }
        let defs = v["definitions"].as_object().unwrap();
        for (name, def) in defs {
            assert!(def["description"].as_str().is_some_and(|d| !d.is_empty()), "{name}");
            for (key, p) in def["properties"].as_object().into_iter().flatten() {
                assert!(
                    p["description"].as_str().is_some_and(|d| !d.is_empty()),
                    "no description for {name}.{key}"
                );
            }
        }
    }
}
