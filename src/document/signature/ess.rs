//! ESS signing-certificate-v2 (RFC 5035), written by the signer and checked by the verifier.

use const_oid::db::rfc5912::ID_SHA_256;
use der::Sequence;
use der::asn1::{Any, OctetString};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

use super::crypto::DigestAlg;

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct IssuerSerial {
    pub issuer: Vec<GeneralName>,
    pub serial_number: SerialNumber,
}

/// `ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT id-sha256, certHash, issuerSerial OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct EssCertIdV2 {
    /// Absent means SHA-256 (the DEFAULT, which DER leaves out).
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SigningCertificateV2 {
    pub certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    pub policies: Option<Any>,
}

/// The attribute value naming `cert` (SHA-256 hash and issuer/serial).
pub(crate) fn for_certificate(cert: &Certificate, cert_der: &[u8]) -> Result<SigningCertificateV2, String> {
    let hash = OctetString::new(DigestAlg::Sha256.digest(&[cert_der])).map_err(|e| e.to_string())?;
    let issuer_serial = IssuerSerial {
        issuer: vec![GeneralName::DirectoryName(cert.tbs_certificate.issuer.clone())],
        serial_number: cert.tbs_certificate.serial_number.clone(),
    };
    Ok(SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: hash,
            issuer_serial: Some(issuer_serial),
        }],
        policies: None,
    })
}

/// Whether the first ESSCertIDv2 names `cert` (by hash, and by issuer/serial where given).
pub(crate) fn names_certificate(
    attr: &SigningCertificateV2,
    cert: &Certificate,
    cert_der: &[u8],
) -> Result<(), String> {
    let first = attr
        .certs
        .first()
        .ok_or("signing-certificate-v2 names no certificate")?;
    let alg_oid = first.hash_algorithm.as_ref().map_or(ID_SHA_256, |a| a.oid);
    let alg = DigestAlg::from_oid(&alg_oid).ok_or("signing-certificate-v2 uses an unknown hash")?;
    if alg.digest(&[cert_der]) != first.cert_hash.as_bytes() {
        return Err("signing-certificate-v2 does not match the signer certificate".into());
    }
    if let Some(is) = &first.issuer_serial
        && is.serial_number != cert.tbs_certificate.serial_number
    {
        return Err("signing-certificate-v2 names another serial number".into());
    }
    Ok(())
}
