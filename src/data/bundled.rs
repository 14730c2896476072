//! The datasets shipped in `datasets/`, compiled into the binary so the app and the tests work
//! from any directory.

use super::{DataError, LoadProgress, Table, parse_csv};

/// A bundled dataset and the column a study predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bundled {
    pub name: &'static str,
    pub file: &'static str,
    pub target: &'static str,
    pub description: &'static str,
    pub bytes: &'static [u8],
}

pub const BUNDLED: [Bundled; 5] = [
    Bundled {
        name: "digits",
        file: "digits.csv",
        target: "digit",
        description: "1797 8x8 handwritten digits, 64 pixel features, 10 classes",
        bytes: include_bytes!("../../datasets/digits.csv"),
    },
    Bundled {
        name: "iris",
        file: "iris.csv",
        target: "species",
        description: "150 flowers, 4 measurements, 3 species",
        bytes: include_bytes!("../../datasets/iris.csv"),
    },
    Bundled {
        name: "wine",
        file: "wine.csv",
        target: "cultivar",
        description: "178 wines, 13 chemical measurements, 3 cultivars",
        bytes: include_bytes!("../../datasets/wine.csv"),
    },
    Bundled {
        name: "breast_cancer",
        file: "breast_cancer.csv",
        target: "diagnosis",
        description: "569 tumours, 30 features, malignant or benign",
        bytes: include_bytes!("../../datasets/breast_cancer.csv"),
    },
    Bundled {
        name: "diabetes",
        file: "diabetes.csv",
        target: "progression",
        description: "442 patients, 10 features, disease progression (regression)",
        bytes: include_bytes!("../../datasets/diabetes.csv"),
    },
];

impl Bundled {
    pub fn by_name(name: &str) -> Option<&'static Bundled> {
        let stem = name.strip_suffix(".csv").unwrap_or(name);
        BUNDLED.iter().find(|b| b.name == stem)
    }

    pub fn load(&self) -> Result<Table, DataError> {
        parse_csv(self.bytes, self.file, &mut |_: LoadProgress| {})
    }
}
