//! A new agreement file to fill in: every key of the format with a Norwegian comment, the
//! values the author gave filled in, and the rest marked `FYLL UT`.
//!
//! Every `FYLL UT` is placed so that `avtale check` rejects the file until it is replaced:
//!
//! - where the rules check the form of a value (e-mail, phone, postcode, organisation
//!   number, agreement id, enumerations, rights package), the value itself is the
//!   placeholder, e.g. `epost = "FYLL UT: e-postadresse"` fails the `email` rule;
//! - where any text would pass (names, titles, addresses, purposes, references), the key is
//!   left commented out under a `# FYLL UT: …` comment, as `# navn = ""`, so that
//!   `missing-field` reports it; uncommenting it without writing the value gives
//!   `invalid-value` (a required string must not be empty).
//!
//! Optional keys are shown commented out with an example value and no `FYLL UT`.

use chrono::NaiveDate;

use crate::base::diag::Sources;
use crate::catalog::assets::Assets;
use crate::catalog::{CATALOGUE_FILE, Catalogue, DELINGSVILKAAR, Service};

/// The text that marks every value the author must supply.
pub const PLACEHOLDER: &str = "FYLL UT";

/// The first line of a new agreement file: taplo's schema directive, so that Even Better
/// TOML (VS Code) and other taplo-based editors complete and check the file against the
/// project's JSON Schema. The path is relative to the new file and is right for a file in
/// `agreements/` of this repository (where `avtale new -o agreements/…` puts it); files
/// matched by the repository's `.taplo.toml` get the same schema from there anyway. A file
/// kept elsewhere can change the path, or use a URL to the schema.
pub const SCHEMA_DIRECTIVE: &str = "#:schema ../schema/avtale.schema.json";

/// The service requested when none is given.
pub const DEFAULT_SERVICE: &str = "summertskattegrunnlag";

/// What `avtale new` knows before the author starts filling in.
#[derive(Debug, Clone)]
pub struct NewAgreement {
    /// The consumer's organisation number, written as given.
    pub orgnr: String,
    /// The consumer's registered name.
    pub navn: String,
    /// The agreement id; `None` leaves a placeholder.
    pub id: Option<String>,
    /// The agreement date.
    pub dato: NaiveDate,
    /// The consumer takes part through a segment: adds a `[segment]` table to fill in.
    pub segment: bool,
    /// The service to request; `None` requests [`DEFAULT_SERVICE`].
    pub tjeneste: Option<String>,
}

/// A new agreement file, checked against the built-in catalogue (current terms versions,
/// the rights packages of the service).
pub fn new_agreement(opts: &NewAgreement) -> String {
    let cat = Catalogue::load(&Assets::Embedded, CATALOGUE_FILE, &mut Sources::default()).ok();
    scaffold_text(opts, cat.as_ref())
}

/// A new agreement file for a given catalogue (for `--catalogue` / `--templates`).
pub fn new_agreement_with_catalogue(opts: &NewAgreement, cat: &Catalogue) -> String {
    scaffold_text(opts, Some(cat))
}

/// A TOML string literal, escaped by the `toml` crate.
fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// `"FYLL UT: hint"`, as a TOML string.
fn fill(hint: &str) -> String {
    quote(&format!("{PLACEHOLDER}: {hint}"))
}

/// The agreement file being written.
struct TomlText(String);

impl TomlText {
    fn line(&mut self, s: &str) {
        self.0.push_str(s);
        self.0.push('\n');
    }

    /// One or more comment lines.
    fn comment(&mut self, text: &str) {
        for l in text.lines() {
            if l.is_empty() {
                self.line("#");
            } else {
                self.line(&format!("# {l}"));
            }
        }
    }

    fn key(&mut self, key: &str, value: &str) {
        self.line(&format!("{key} = {value}"));
    }

    /// A required key that any text satisfies: commented out, so that `missing-field`
    /// fires, with an empty value, so that uncommenting it without writing the value
    /// still fails ("must not be empty").
    fn missing(&mut self, key: &str, what: &str) {
        self.comment(&format!("{PLACEHOLDER}: {what}"));
        self.comment("Fjern «# » foran nøkkelen og skriv verdien mellom anførselstegnene.");
        self.line(&format!("# {key} = \"\""));
    }

    /// An optional key, commented out with an example.
    fn optional(&mut self, key: &str, example: &str) {
        self.line(&format!("# {key} = {example}"));
    }

    fn blank(&mut self) {
        self.0.push('\n');
    }
}

/// The commented agreement file for `opts`, explained from the catalogue where it is given.
fn scaffold_text(opts: &NewAgreement, cat: Option<&Catalogue>) -> String {
    let dato = opts.dato.format("%Y-%m-%d").to_string();
    let service_id = opts.tjeneste.as_deref().unwrap_or(DEFAULT_SERVICE);
    let service = cat.and_then(|c| c.service(service_id));

    let mut o = TomlText(String::new());
    write_preamble(&mut o);
    write_avtale(&mut o, opts, &dato);
    write_virksomhet(&mut o, opts);
    write_kontakter(&mut o);
    write_signatar(&mut o);
    if opts.segment {
        write_segment(&mut o);
    }
    write_databehandler(&mut o, &dato, service_id);
    write_vilkaar(&mut o, cat);
    write_tjeneste(&mut o, opts, cat, service_id, service);
    write_grunnlag(&mut o);
    o.0
}

/// The current version of terms document `doc` in the catalogue, as a TOML string.
fn current_version(cat: Option<&Catalogue>, doc: &str) -> Option<String> {
    cat.and_then(|c| c.terms(doc))
        .and_then(|d| d.current())
        .map(|v| quote(&v.versjon))
}

/// The opening comment on how to fill in the file, and the format version.
fn write_preamble(o: &mut TomlText) {
    o.line(SCHEMA_DIRECTIVE);
    o.comment(
        "Konsumentavtale om deling av opplysninger fra Skatteetaten (avtaleformat 1).\n\
         \n\
         Slik fyller du ut filen:\n\
         - Verdier med «FYLL UT» byttes ut med riktig verdi.\n\
         - Påkrevde nøkler der all tekst er gyldig, står kommentert ut under en linje som\n\
         \u{20} begynner med «# FYLL UT»: fjern «# » foran nøkkelen og skriv verdien mellom\n\
         \u{20} anførselstegnene.\n\
         - Andre linjer som begynner med «#», er forklaringer eller valgfrie nøkler med et\n\
         \u{20} eksempel; fjern «# » for å ta dem med.\n\
         Kjør `avtale check` på filen til den ikke har flere feil. Hele formatet er beskrevet\n\
         i docs/format.md. Første linje (#:schema) kobler filen til skjemaet i\n\
         schema/avtale.schema.json, så editorer med taplo (Even Better TOML) fullfører\n\
         nøkler og viser feil mens du skriver; stien gjelder en fil i mappen agreements/.",
    );
    o.blank();
    o.comment("Filformatets versjon. Skal være 1.");
    o.key("format", "1");
}

/// The `[avtale]` table: id, language, status and dates.
fn write_avtale(o: &mut TomlText, opts: &NewAgreement, dato: &str) {
    o.blank();
    o.line("[avtale]");
    o.comment(
        "Avtalens id: bare bokstaver (A–Z, a–z), sifre, «-», «_» og «.». Må være unik, og\n\
         blir filnavnet til PDF-en (<id>.pdf).",
    );
    match &opts.id {
        Some(id) => o.key("id", &quote(id)),
        None => o.key("id", &fill("avtale-id, f.eks. KA-2026-0001")),
    }
    o.comment("Dokumentets språk: nb (bokmål), nn (nynorsk) eller en (engelsk). Alle tre kan bygges til PDF.");
    o.key("spraak", "\"nb\"");
    o.comment("Avtalens status: utkast, til_signering eller signert.");
    o.key("status", "\"utkast\"");
    o.comment("Avtalens dato, skrevet uten anførselstegn.");
    o.key("dato", dato);
    o.comment("Valgfritt: datoen avtalen gjelder fra (ikke før dato), uten anførselstegn.");
    o.optional("gyldig_fra", dato);
    o.comment("Valgfritt: id-en til en tidligere avtale som denne avtalen erstatter.");
    o.optional("erstatter", "\"KA-2023-0007\"");
    o.comment(
        "Valgfritt: true bare for syntetiske testdata. Da gir organisasjonsnumre som ikke\n\
         begynner på 8 eller 9, ingen advarsel.",
    );
    o.optional("testdata", "true");
}

/// The `[virksomhet]` table and its `[virksomhet.postadresse]`.
fn write_virksomhet(o: &mut TomlText, opts: &NewAgreement) {
    o.blank();
    o.comment("Konsumenten: virksomheten som mottar opplysningene og er behandlingsansvarlig for dem.");
    o.line("[virksomhet]");
    o.comment("Virksomhetens registrerte navn, som i Enhetsregisteret.");
    o.key("navn", &quote(&opts.navn));
    o.comment("Hovedenhetens organisasjonsnummer: 9 sifre, som streng (mellomrom er tillatt).");
    o.key("organisasjonsnummer", &quote(&opts.orgnr));
    o.comment("Valgfritt: organisasjonsform fra Enhetsregisteret, 2–4 store bokstaver (AS, ASA, KOMM, ORGL …).");
    o.optional("organisasjonsform", "\"AS\"");
    o.comment("E-postadressen der Skatteetaten sender varsler til virksomheten.");
    o.key("varslingsadresse", &fill("e-postadresse for varsler"));
    o.blank();
    o.comment("Virksomhetens postadresse. Alle tre nøklene er påkrevd.");
    o.line("[virksomhet.postadresse]");
    o.missing("adresse", "gateadresse eller postboks.");
    o.comment("Postnummer: nøyaktig 4 sifre, som streng, f.eks. \"0150\".");
    o.key("postnummer", &fill("4 sifre"));
    o.missing("poststed", "poststed.");
}

/// Two `[[kontakt]]` tables, for the business and the technical contact.
fn write_kontakter(o: &mut TomlText) {
    o.blank();
    o.comment(
        "Kontaktpersoner hos virksomheten, én [[kontakt]] per person. Avtalen må ha minst én\n\
         kontakt med rolle forretning og én med rolle teknisk. Flere kan legges til, også med\n\
         rollene juridisk, personvern og sikkerhet.",
    );
    for (rolle, what) in [
        ("forretning", "Faglig kontakt: har ansvar for bruken av opplysningene."),
        ("teknisk", "Teknisk kontakt: har ansvar for integrasjonen med API-ene."),
    ] {
        o.line("[[kontakt]]");
        o.comment(what);
        o.key("rolle", &quote(rolle));
        o.missing("navn", "kontaktpersonens fulle navn.");
        o.comment("Valgfritt: stillingstittel.");
        o.optional("tittel", "\"Seksjonsleder\"");
        o.comment("Kontaktpersonens e-postadresse.");
        o.key("epost", &fill("e-postadresse"));
        o.comment(
            "Telefon: 8 sifre (\"912 34 567\") eller + og 7–15 sifre (\"+47 912 34 567\"); bare\n\
             mellomrom som skilletegn. Valgfritt: fjern linjen om dere ikke vil oppgi telefon.",
        );
        o.key("telefon", &fill("telefonnummer"));
        o.blank();
    }
}

/// One `[[signatar]]` table.
fn write_signatar(o: &mut TomlText) {
    o.comment("Signatarer: personer med myndighet til å signere for virksomheten. Minst én.");
    o.line("[[signatar]]");
    o.missing("navn", "signatarens fulle navn.");
    o.missing("tittel", "signatarens tittel, f.eks. Daglig leder eller Ordfører.");
    o.comment("Fullmakt: signaturrett, prokura, daglig_leder, ordfoerer eller delegert.");
    o.key(
        "fullmakt",
        &fill("signaturrett, prokura, daglig_leder, ordfoerer eller delegert"),
    );
    o.comment("Bare ved fullmakt = \"delegert\": henvisning til delegeringsvedtaket.");
    o.optional(
        "fullmakt_referanse",
        "\"Delegeringsreglement vedtatt av styret 12. juni 2024, sak 41/24\"",
    );
    o.comment("Valgfritt: signatarens e-postadresse.");
    o.optional("epost", "\"fornavn.etternavn@virksomhet.no\"");
}

/// The `[segment]` table and its `[segment.ansvarlig]`.
fn write_segment(o: &mut TomlText) {
    o.blank();
    o.comment(
        "Segmentet virksomheten deltar gjennom, f.eks. kommunal sektor. Med [segment] brukes\n\
         segmentvarianten av delingsvilkårene.",
    );
    o.line("[segment]");
    o.missing("id", "segmentets id, f.eks. kommunal-sektor.");
    o.blank();
    o.comment("Segmentets ansvarlige virksomhet.");
    o.line("[segment.ansvarlig]");
    o.missing("navn", "navnet på segmentets ansvarlige virksomhet.");
    o.comment("Den ansvarlige virksomhetens organisasjonsnummer: 9 sifre, som streng.");
    o.key("organisasjonsnummer", &fill("9 sifre"));
}

/// An example `[[databehandler]]` table, commented out.
fn write_databehandler(o: &mut TomlText, dato: &str, service_id: &str) {
    o.blank();
    o.comment(&format!(
        "Valgfritt: databehandlere (system- eller driftsleverandører) som behandler\n\
         opplysningene på virksomhetens vegne. Fjern «# » foran linjene for å ta med en.\n\
         [[databehandler]]\n\
         navn = \"Leverandør AS\"\n\
         organisasjonsnummer = \"912345688\"\n\
         rolle = \"systemleverandoer\"            # systemleverandoer, drift eller annen\n\
         databehandleravtale = {dato}       # datoen databehandleravtalen ble inngått; ikke etter avtalens dato\n\
         tjenester = [{}]   # tjenestene i denne avtalen som databehandleren håndterer",
        quote(service_id)
    ));
}

/// The `[vilkaar]` table, with the current delingsvilkår version when the catalogue has one.
fn write_vilkaar(o: &mut TomlText, cat: Option<&Catalogue>) {
    o.blank();
    o.line("[vilkaar]");
    o.comment(
        "Versjonen av Skatteetatens generelle delingsvilkår avtalen bygger på (gjeldende\n\
         versjon). Varianten følger av om [segment] er med.",
    );
    match current_version(cat, DELINGSVILKAAR) {
        Some(v) => o.key("delingsvilkaar", &v),
        None => o.key("delingsvilkaar", &fill("versjon av delingsvilkårene")),
    }
}

/// The keys of the `[[tjeneste]]` table, explained from the catalogue's entry when known.
fn write_tjeneste(
    o: &mut TomlText,
    opts: &NewAgreement,
    cat: Option<&Catalogue>,
    service_id: &str,
    service: Option<&Service>,
) {
    o.blank();
    o.comment("Delingstjenestene virksomheten ber om, én [[tjeneste]] per tjeneste og rettighetspakke.");
    o.line("[[tjeneste]]");
    match service {
        Some(s) => o.comment(&format!("Tjenestens id i katalogen: {}.", s.navn)),
        None => o.comment("Tjenestens id i katalogen."),
    }
    o.key("id", &quote(service_id));
    if let Some(s) = service
        && !s.krever.is_empty()
    {
        o.comment(&format!(
            "Merk: tjenesten kan bare bestilles sammen med {}; legg til en [[tjeneste]] for den også.",
            s.krever.join(", ")
        ));
    }
    match service {
        Some(s) => o.comment(&packages_comment(s)),
        None => o.comment("Rettighetspakken: en av pakkene tjenesten tilbyr."),
    }
    o.key("rettighetspakke", &fill("rettighetspakke"));
    match service {
        Some(s) => o.comment(&format!(
            "Versjonen av tjenestens bruksvilkår ({}), gjeldende versjon.",
            s.bruksvilkaar
        )),
        None => o.comment("Versjonen av tjenestens bruksvilkår."),
    }
    match service.and_then(|s| current_version(cat, &s.bruksvilkaar)) {
        Some(v) => o.key("bruksvilkaar", &v),
        None => o.key("bruksvilkaar", &fill("versjon av bruksvilkårene")),
    }
    o.missing("formaal", "hva opplysningene skal brukes til, minst 20 tegn.");
    o.comment("Miljøene det bes om tilgang til: test og/eller produksjon.");
    o.key("miljoe", "[\"test\", \"produksjon\"]");
    o.comment("Valgfritt: hvordan virksomheten kobler seg til: direkte, leverandoer eller segmentplattform.");
    o.optional(
        "tilkobling",
        if opts.segment {
            "\"segmentplattform\""
        } else {
            "\"direkte\""
        },
    );
    o.comment(
        "Bare for samtykkepakker (og påkrevd der): adressene Altinn kan sende brukeren tilbake\n\
         til etter samtykket, hver en fullstendig https://-adresse.",
    );
    o.optional("retur_url", "[\"https://www.virksomhet.no/samtykke/retur\"]");
}

/// The comment listing the rights packages a service offers, one aligned line each.
fn packages_comment(s: &Service) -> String {
    let width = s.pakker.iter().map(|p| p.id.len()).max().unwrap_or(0);
    let mut text = String::from("Rettighetspakken: en av pakkene tjenesten tilbyr (tillatt utleveringsgrunnlag):");
    for p in &s.pakker {
        text.push_str(&format!(
            "\n  {:width$}  {} ({}{})",
            p.id,
            p.navn,
            p.grunnlag.join(", "),
            if p.krever_egen_hjemmel {
                "; krever egen_hjemmel"
            } else {
                ""
            },
        ));
    }
    text
}

/// The service's `[tjeneste.utleveringsgrunnlag]` and `[tjeneste.behandlingsgrunnlag]` tables.
fn write_grunnlag(o: &mut TomlText) {
    o.blank();
    o.comment("Grunnlaget for å få utlevert opplysningene (opphever taushetsplikten).");
    o.line("[tjeneste.utleveringsgrunnlag]");
    o.comment("Type: hjemmel (i lov) eller samtykke; må være en type rettighetspakken tillater.");
    o.key("type", &fill("hjemmel eller samtykke"));
    o.missing(
        "henvisning",
        "lovbestemmelsen eller samtykket grunnlaget bygger på, f.eks.\nskatteforvaltningsloven § 3-3.",
    );
    o.comment("Bare for rettighetspakker som krever det: virksomhetens egen lovhjemmel.");
    o.optional("egen_hjemmel", "\"vegtrafikkloven § 43c\"");
    o.blank();
    o.comment("Grunnlaget for å behandle opplysningene.");
    o.line("[tjeneste.behandlingsgrunnlag]");
    o.comment("Type: lov, forskrift eller samtykke.");
    o.key("type", &fill("lov, forskrift eller samtykke"));
    o.missing(
        "henvisning",
        "bestemmelsen behandlingen bygger på, f.eks. en paragraf i\nloven virksomheten forvalter.",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> NewAgreement {
        NewAgreement {
            orgnr: "974760673".into(),
            navn: "Eksempel AS".into(),
            id: None,
            dato: NaiveDate::from_ymd_opt(2026, 5, 12).unwrap(),
            segment: true,
            tjeneste: None,
        }
    }

    #[test]
    fn parses_as_toml_with_the_given_values() {
        let text = new_agreement(&opts());
        let v: toml::Table = text.parse().expect("valid TOML");
        assert_eq!(v["virksomhet"]["navn"].as_str(), Some("Eksempel AS"));
        assert_eq!(v["virksomhet"]["organisasjonsnummer"].as_str(), Some("974760673"));
        assert_eq!(v["vilkaar"]["delingsvilkaar"].as_str(), Some("2022-05"));
        assert_eq!(v["tjeneste"][0]["bruksvilkaar"].as_str(), Some("2024-09"));
        assert!(v["avtale"]["id"].as_str().unwrap().starts_with(PLACEHOLDER));
        assert!(text.contains("kommuneforeldrebetaling"));
        assert_eq!(text.lines().next(), Some(SCHEMA_DIRECTIVE));
        assert!(!text.contains("Bare nb"), "nb, nn and en can all be built");
    }

    #[test]
    fn unknown_service_keeps_placeholders() {
        let mut o = opts();
        o.tjeneste = Some("ukjent".into());
        o.segment = false;
        let text = new_agreement(&o);
        let v: toml::Table = text.parse().expect("valid TOML");
        assert_eq!(v["tjeneste"][0]["id"].as_str(), Some("ukjent"));
        assert!(
            v["tjeneste"][0]["bruksvilkaar"]
                .as_str()
                .unwrap()
                .starts_with(PLACEHOLDER)
        );
        assert!(v.get("segment").is_none());
    }
}
