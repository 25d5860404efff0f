//! A JSON Schema (draft 07) of agreement files and segment files, for editors such as
//! taplo / Even Better TOML that complete and check TOML against a JSON Schema.
//!
//! The types here mirror the format only to describe it: the real reader is
//! [`crate::input::model`] (agreements) and [`crate::input::load`] (segment files). Their doc comments
//! become the schema's Norwegian descriptions. Rules that need the catalogue (services,
//! rights packages, terms versions) or look across an agreement (ids, dates, contact
//! roles after merging) stay with `avtale check`; the schema covers the shape: keys,
//! types, required keys, enumerations and the forms of identifiers, addresses and dates.
//!
//! TOML dates are described as strings with `format: date`, as taplo presents them.

use schemars::generate::SchemaSettings;
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
    /// `nb`. Bare bokmål kan bygges til PDF foreløpig.
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
#[schemars(deny_unknown_fields, extend("oneOf" = [
    { "required": ["medlemmer"] },
    { "required": ["medlem"] }
]))]
#[allow(dead_code)]
struct Segmentfil {
    /// Filformatets versjon. Må være heltallet 1.
    #[schemars(schema_with = "format_schema")]
    format: i64,
    /// Stien til CSV-filen med medlemmene, relativ til mappen segmentfilen ligger i. Må
    /// skrives før den første tabellen. Brukes i stedet for `[[medlem]]`.
    #[schemars(pattern(TEKST))]
    medlemmer: Option<String>,
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
    /// `nb`.
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

/// The schema as a JSON value: an agreement file or a segment file (`oneOf`).
pub fn schema_value() -> Value {
    let mut generator = SchemaSettings::draft07().into_generator();
    let avtalefil = generator.subschema_for::<Avtalefil>();
    let segmentfil = generator.subschema_for::<Segmentfil>();
    let definitions: Map<String, Value> = generator.take_definitions(true);
    let mut root = serde_json::json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "avtale: avtalefil eller segmentfil (format 1)",
        "description": "Konsumentavtale om deling av opplysninger fra Skatteetaten, skrevet i TOML: \
            enten en avtalefil (én avtale) eller en segmentfil (én avtale per medlem, kjennetegnet \
            av nøkkelen `felles`). Skjemaet beskriver nøkler, typer og former; `avtale check` \
            kontrollerer i tillegg mot katalogen og reglene som gjelder hele avtalen.",
        "oneOf": [avtalefil, segmentfil],
        "definitions": definitions,
    });
    tidy(&mut root);
    sort_keys(root)
}

/// The schema as pretty JSON with a trailing newline; the same bytes every time.
pub fn schema_json() -> String {
    let mut out = serde_json::to_string_pretty(&schema_value()).expect("a JSON value always serializes");
    out.push('\n');
    out
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
        assert!(v["definitions"]["Avtalefil"].is_object());
        assert!(v["definitions"]["Segmentfil"].is_object());
    }

    #[test]
    fn every_key_has_a_description() {
        let v = schema_value();
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
