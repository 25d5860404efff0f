//! The language of the tool's messages: a Fluent message catalogue with an English and a
//! bokmål text for every message, built into the binary (`i18n/en/avtale.ftl` and
//! `i18n/nb/avtale.ftl`; nothing is read from disk at run time).
//!
//! Code names a message by its id and arguments ([`Msg`], made with [`msg!`](crate::msg));
//! [`Msg::render`] gives its text in a [`Lang`]. English is the fallback: a message missing
//! from the bokmål catalogue is shown in English. Rule codes, file names, TOML keys and
//! values quoted in a message are the same in every language.

use std::fmt::Display;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// The English catalogue, the source of every message.
pub const EN_FTL: &str = include_str!("../../i18n/en/avtale.ftl");
/// The bokmål catalogue.
pub const NB_FTL: &str = include_str!("../../i18n/nb/avtale.ftl");

/// A language the tool's messages are available in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English, the fallback.
    #[default]
    En,
    /// Norwegian bokmål.
    Nb,
}

impl Lang {
    /// Both languages, English first.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Nb];

    /// The language tag (`en`, `nb`).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Nb => "nb",
        }
    }

    /// The language a locale name asks for: one starting with `nb`, `no` or `nn`
    /// (`nb_NO.UTF-8`, `no`, `nn_NO`) is bokmål, anything else English. Nynorsk readers get
    /// bokmål, which is closer to them than English.
    pub fn from_locale(locale: &str) -> Lang {
        let l = locale.trim().to_ascii_lowercase();
        if ["nb", "no", "nn"].iter().any(|p| l.starts_with(p)) {
            Lang::Nb
        } else {
            Lang::En
        }
    }

    /// The language the locale environment asks for, given the values of `LC_ALL`,
    /// `LC_MESSAGES` and `LANG` in that order: the first one set and not empty decides, as
    /// in POSIX; with none set, English.
    pub fn from_locale_env(values: [Option<&str>; 3]) -> Lang {
        values
            .into_iter()
            .flatten()
            .find(|v| !v.trim().is_empty())
            .map_or(Lang::En, Lang::from_locale)
    }
}

/// An argument of a message. Every argument is text except counts, which choose a plural.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    Count(i64),
    /// Another message, rendered in the same language.
    Msg(Box<Msg>),
}

/// A message of the catalogue: its id and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub id: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

impl Msg {
    pub fn new(id: &'static str) -> Msg {
        Msg { id, args: Vec::new() }
    }

    /// A text argument, written as it displays.
    pub fn arg(mut self, name: &'static str, value: impl Display) -> Msg {
        self.args.push((name, Arg::Text(value.to_string())));
        self
    }

    /// A count: written as a number and choosing the plural form.
    pub fn count(mut self, name: &'static str, n: usize) -> Msg {
        self.args.push((name, Arg::Count(i64::try_from(n).unwrap_or(i64::MAX))));
        self
    }

    /// Whether the catalogue of `lang` has this message and every message nested in it.
    pub fn is_translated(&self, lang: Lang) -> bool {
        render(lang, self).is_some()
            && self.args.iter().all(|(_, a)| match a {
                Arg::Msg(m) => m.is_translated(lang),
                _ => true,
            })
    }

    /// Another message as an argument, rendered in the same language as this one.
    pub fn nested(mut self, name: &'static str, m: Msg) -> Msg {
        self.args.push((name, Arg::Msg(Box::new(m))));
        self
    }

    /// The message in `lang`; in English when the catalogue of `lang` lacks it.
    pub fn render(&self, lang: Lang) -> String {
        render(lang, self).unwrap_or_else(|| render(Lang::En, self).unwrap_or_else(|| self.id.to_string()))
    }
}

/// A message by id with named arguments: `msg!("unknown-key", key = k)`. Every argument is
/// passed as text; use [`Msg::count`] for counts that choose a plural.
#[macro_export]
macro_rules! msg {
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::base::i18n::Msg::new($id)$(.arg(stringify!($name), $value))*
    };
}

/// A text to show: a catalogue message, or text that is the same in every language (a
/// message another library wrote, such as the TOML parser's), possibly after a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    /// Shown as it is in every language.
    Plain(String),
    Msg(Msg),
    /// A place (a sheet cell such as `B3`) followed by `: ` and the text.
    Placed(String, Box<Text>),
}

impl Text {
    pub fn render(&self, lang: Lang) -> String {
        match self {
            Text::Plain(s) => s.clone(),
            Text::Msg(m) => m.render(lang),
            Text::Placed(place, t) => format!("{place}: {}", t.render(lang)),
        }
    }

    /// Whether the text has a catalogue message for `lang` (plain text never has one).
    pub fn is_translated(&self, lang: Lang) -> bool {
        match self {
            Text::Plain(_) => false,
            Text::Msg(m) => m.is_translated(lang),
            Text::Placed(_, t) => t.is_translated(lang),
        }
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::Plain(s)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::Plain(s.to_string())
    }
}

impl From<Msg> for Text {
    fn from(m: Msg) -> Text {
        Text::Msg(m)
    }
}

/// A message by id without arguments, in `lang`.
pub fn text(lang: Lang, id: &'static str) -> String {
    Msg::new(id).render(lang)
}

type Bundle = FluentBundle<FluentResource>;

fn bundle(lang: Lang, ftl: &'static str) -> Bundle {
    let tag = lang.tag().parse().expect("a valid language tag");
    let mut b = Bundle::new_concurrent(vec![tag]);
    // No Unicode isolation marks around arguments: the output stays plain text.
    b.set_use_isolating(false);
    let resource = FluentResource::try_new(ftl.to_string()).unwrap_or_else(|(r, _)| r);
    // A message given twice keeps its first text; the catalogue tests forbid both.
    let _ = b.add_resource(resource);
    b
}

static EN: LazyLock<Bundle> = LazyLock::new(|| bundle(Lang::En, EN_FTL));
static NB: LazyLock<Bundle> = LazyLock::new(|| bundle(Lang::Nb, NB_FTL));

/// The message `id` of the catalogue of `lang` filled in with `args`, or `None` when that
/// catalogue lacks it or cannot fill it in.
fn format(lang: Lang, id: &str, args: Option<&FluentArgs>) -> Option<String> {
    let b = bundle_of(lang);
    let pattern = b.get_message(id)?.value()?;
    let mut errors = Vec::new();
    let s = b.format_pattern(pattern, args, &mut errors);
    errors.is_empty().then(|| s.into_owned())
}

/// The message in `lang`, or `None` when that catalogue lacks it or cannot fill it in.
fn render(lang: Lang, m: &Msg) -> Option<String> {
    let mut args = FluentArgs::new();
    for (name, value) in &m.args {
        match value {
            Arg::Text(s) => args.set(*name, FluentValue::from(s.as_str())),
            Arg::Count(n) => args.set(*name, FluentValue::from(*n)),
            Arg::Msg(inner) => args.set(*name, FluentValue::from(inner.render(lang))),
        }
    }
    format(lang, m.id, Some(&args))
}

/// A message without arguments by an id made at run time (`rule-email`), in `lang` or else
/// in English; `None` when neither catalogue has it.
pub fn render_id(lang: Lang, id: &str) -> Option<String> {
    format(lang, id, None).or_else(|| format(Lang::En, id, None))
}

fn bundle_of(lang: Lang) -> &'static Bundle {
    match lang {
        Lang::En => &EN,
        Lang::Nb => &NB,
    }
}

/// Whether a catalogue has a message: for tests that every id used exists.
pub fn has_message(lang: Lang, id: &str) -> bool {
    bundle_of(lang).has_message(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_choose_the_language() {
        assert_eq!(Lang::from_locale("nb_NO.UTF-8"), Lang::Nb);
        assert_eq!(Lang::from_locale("no"), Lang::Nb);
        assert_eq!(Lang::from_locale("nn_NO"), Lang::Nb);
        assert_eq!(Lang::from_locale("de_DE.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale("C"), Lang::En);
        assert_eq!(Lang::from_locale_env([None, Some(""), Some("nb_NO")]), Lang::Nb);
        assert_eq!(Lang::from_locale_env([Some("C"), None, Some("nb_NO")]), Lang::En);
        assert_eq!(Lang::from_locale_env([None, Some("nb_NO"), Some("en_US")]), Lang::Nb);
        assert_eq!(Lang::from_locale_env([None, None, None]), Lang::En);
    }

    #[test]
    fn messages_render_in_both_languages_without_isolation_marks() {
        let m = msg!("unknown-key", key = "navn");
        assert_eq!(m.render(Lang::En), "unknown key `navn`");
        assert!(!m.render(Lang::Nb).contains('\u{2068}'));
        assert_ne!(m.render(Lang::Nb), m.render(Lang::En));
        let missing = Msg::new("no-such-message");
        assert_eq!(missing.render(Lang::Nb), "no-such-message");
    }
}
