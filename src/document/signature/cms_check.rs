//! Verification of a CMS SignedData (detached) over the signed bytes of a PDF.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use const_oid::db::rfc5911 as cms_oid;
use der::asn1::OctetString;
use der::{Decode, Encode};
use x509_cert::Certificate;
use x509_cert::time::Time;

use super::crypto::{self, DigestAlg};
use super::{der_walk, ess, trust};

/// What the CMS check found.
#[derive(Debug, Default)]
pub(crate) struct CmsCheck {
    pub digest_ok: bool,
    pub signature_ok: bool,
    pub signer: Option<Certificate>,
    pub certs: Vec<Certificate>,
    pub signing_time: Option<i64>,
    pub reasons: Vec<String>,
}

/// Parses the DER ContentInfo at the start of `contents` (zero padding after it allowed).
fn parse(contents: &[u8]) -> Result<(SignedData, &[u8]), String> {
    let tlv = der_walk::tlv(contents).ok_or("the signature is not a DER structure")?;
    let (der, rest) = contents.split_at_checked(tlv.end).ok_or("the signature is truncated")?;
    if rest.iter().any(|b| *b != 0) {
        return Err("non-zero bytes after the CMS structure".into());
    }
    let ci = ContentInfo::from_der(der).map_err(|e| format!("the signature is not a CMS ContentInfo: {e}"))?;
    if ci.content_type != cms_oid::ID_SIGNED_DATA {
        return Err("the CMS content is not SignedData".into());
    }
    let sd = ci
        .content
        .decode_as::<SignedData>()
        .map_err(|e| format!("bad CMS SignedData: {e}"))?;
    Ok((sd, der))
}

fn find_signer<'a>(sid: &SignerIdentifier, certs: &'a [Certificate]) -> Option<&'a Certificate> {
    certs.iter().find(|c| match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            c.tbs_certificate.issuer == ias.issuer && c.tbs_certificate.serial_number == ias.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            trust::subject_key_id(c).is_some_and(|id| id.as_slice() == ski.0.as_bytes())
        }
    })
}

/// The single value of a signed attribute, if present.
fn attr<'a>(si: &'a SignerInfo, id: &const_oid::ObjectIdentifier) -> Option<&'a der::asn1::Any> {
    let attrs = si.signed_attrs.as_ref()?;
    let found = attrs.iter().find(|a| &a.oid == id)?;
    found.values.iter().next()
}

/// Checks content-type, message-digest and reads signing-time.
fn check_attributes(si: &SignerInfo, digest: &[u8], out: &mut CmsCheck) {
    if si.signed_attrs.as_ref().is_none_or(|a| a.is_empty()) {
        out.reasons.push("the signature has no signed attributes".into());
        return;
    }
    match attr(si, &cms_oid::ID_CONTENT_TYPE).map(|v| v.decode_as::<const_oid::ObjectIdentifier>()) {
        Some(Ok(ct)) if ct == cms_oid::ID_DATA => {}
        _ => out
            .reasons
            .push("the content-type attribute is missing or not id-data".into()),
    }
    match attr(si, &cms_oid::ID_MESSAGE_DIGEST).map(|v| v.decode_as::<OctetString>()) {
        Some(Ok(md)) if md.as_bytes() == digest => out.digest_ok = true,
        Some(Ok(_)) => out
            .reasons
            .push("the document digest does not match the signed message digest".into()),
        _ => out
            .reasons
            .push("the message-digest attribute is missing or unreadable".into()),
    }
    if let Some(Ok(t)) = attr(si, &cms_oid::ID_SIGNING_TIME).map(|v| v.to_der().and_then(|d| Time::from_der(&d))) {
        out.signing_time = i64::try_from(t.to_unix_duration().as_secs()).ok();
    }
}

/// Verifies the signer's signature over the signed attributes, and the ESS attribute if present.
fn check_signature(si: &SignerInfo, der: &[u8], alg: DigestAlg, signer: &Certificate, out: &mut CmsCheck) {
    let signed = match der_walk::signed_attrs_for_signing(der) {
        Some(raw) => Ok(raw),
        None => si.signed_attrs.as_ref().map(|a| a.to_der()).unwrap_or(Ok(Vec::new())),
    };
    let Ok(signed) = signed else {
        out.reasons.push("cannot encode the signed attributes".into());
        return;
    };
    let spki = &signer.tbs_certificate.subject_public_key_info;
    match crypto::verify_signature(
        spki,
        &si.signature_algorithm,
        Some(alg),
        &signed,
        si.signature.as_bytes(),
    ) {
        Ok(()) => out.signature_ok = true,
        Err(e) => out.reasons.push(format!(
            "the signature does not verify with the signer certificate: {e}"
        )),
    }
    if let Some(value) = attr(si, &cms_oid::ID_AA_SIGNING_CERTIFICATE_V_2) {
        let checked = value
            .decode_as::<ess::SigningCertificateV2>()
            .map_err(|e| format!("unreadable signing-certificate-v2: {e}"))
            .and_then(|sc| {
                let cert_der = signer.to_der().map_err(|e| e.to_string())?;
                ess::names_certificate(&sc, signer, &cert_der)
            });
        if let Err(e) = checked {
            out.signature_ok = false;
            out.reasons.push(e);
        }
    }
}

/// Checks the CMS blob `contents` against the signed byte ranges `parts`.
pub(crate) fn check(contents: &[u8], parts: &[&[u8]]) -> CmsCheck {
    let mut out = CmsCheck::default();
    let (sd, der) = match parse(contents) {
        Ok(x) => x,
        Err(e) => {
            out.reasons.push(e);
            return out;
        }
    };
    out.certs = sd
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => Some(c.clone()),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    let infos: Vec<&SignerInfo> = sd.signer_infos.0.iter().collect();
    let [si] = infos.as_slice() else {
        out.reasons
            .push(format!("expected one SignerInfo, found {}", infos.len()));
        return out;
    };
    let Some(alg) = DigestAlg::from_oid(&si.digest_alg.oid) else {
        out.reasons
            .push(format!("unsupported digest algorithm {}", si.digest_alg.oid));
        return out;
    };
    check_attributes(si, &alg.digest(parts), &mut out);
    match find_signer(&si.sid, &out.certs).cloned() {
        Some(signer) => {
            check_signature(si, der, alg, &signer, &mut out);
            out.signer = Some(signer);
        }
        None => out
            .reasons
            .push("the certificate that the SignerInfo names is not in the signature".into()),
    }
    out
}
