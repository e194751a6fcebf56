//! How per-element losses become the value the optimizer sees.

/// How a loss combines its per-element values.
///
/// The default is [`Reduction::Mean`], PyTorch's default. Left unset, it is the reduction
/// `losslint` reports as implicit (LL001): write it out to show it was chosen.
///
/// ```
/// use lossfit::Reduction;
/// assert_eq!(Reduction::default(), Reduction::Mean);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Reduction {
    /// Keep one value per element (PyTorch `reduction="none"`).
    None,
    /// The mean over elements; losses with class weights divide by the summed weight of the
    /// non-ignored targets, exactly as PyTorch does (`reduction="mean"`).
    #[default]
    Mean,
    /// The sum over elements (`reduction="sum"`).
    Sum,
}

impl Reduction {
    /// PyTorch's spelling: `"none"`, `"mean"` or `"sum"`.
    ///
    /// ```
    /// assert_eq!(lossfit::Reduction::Sum.as_str(), "sum");
    /// ```
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Reduction::None => "none",
            Reduction::Mean => "mean",
            Reduction::Sum => "sum",
        }
    }
}

impl std::fmt::Display for Reduction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Reduction {
    type Err = String;

    /// Parses PyTorch's spelling.
    ///
    /// ```
    /// use lossfit::Reduction;
    /// assert_eq!("sum".parse::<Reduction>(), Ok(Reduction::Sum));
    /// assert!("batchmean".parse::<Reduction>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "none" => Ok(Reduction::None),
            "mean" => Ok(Reduction::Mean),
            "sum" => Ok(Reduction::Sum),
            other => Err(format!(
                "unknown reduction `{other}`: expected `none`, `mean` or `sum` \
                 (`batchmean` exists only for kl_div)"
            )),
        }
    }
}
