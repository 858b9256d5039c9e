//! The catalogue the generated events are drawn from: real browsers, sites with their
//! pages, referrers, locales and the elements, forms and custom events a visitor meets.
//! Plain data, so the generator in `events` reads as logic only.

/// A browser as the SDK would describe it.
pub struct DeviceProfile {
    /// `navigator.userAgent` of a current release.
    pub user_agent: &'static str,
    /// `navigator.platform`, the stealth-detection input (not `clientPlatform`).
    pub platform: &'static str,
    /// Inner window (width, height) in CSS pixels.
    pub viewport: (u32, u32),
    pub screen: (u32, u32),
    pub pixel_ratio: f64,
    /// WebGL (vendor, renderer) as the browser reports them.
    pub gpu: (&'static str, &'static str),
    /// Phones report a `connectionType`; desktops mostly do not.
    pub mobile: bool,
}

pub const DEVICES: &[DeviceProfile] = &[
    DeviceProfile {
        user_agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        platform: "Win32",
        viewport: (1536, 730),
        screen: (1536, 864),
        pixel_ratio: 1.25,
        gpu: ("Google Inc. (NVIDIA)", "ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)"),
        mobile: false,
    },
    DeviceProfile {
        user_agent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        platform: "MacIntel",
        viewport: (1440, 789),
        screen: (1440, 900),
        pixel_ratio: 2.0,
        gpu: ("Google Inc. (Apple)", "ANGLE (Apple, ANGLE Metal Renderer: Apple M2, Unspecified Version)"),
        mobile: false,
    },
    DeviceProfile {
        user_agent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
        platform: "MacIntel",
        viewport: (1512, 823),
        screen: (1512, 982),
        pixel_ratio: 2.0,
        gpu: ("Apple Inc.", "Apple GPU"),
        mobile: false,
    },
    DeviceProfile {
        user_agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
        platform: "Win32",
        viewport: (1920, 947),
        screen: (1920, 1080),
        pixel_ratio: 1.0,
        gpu: ("Mozilla", "Mozilla"),
        mobile: false,
    },
    DeviceProfile {
        user_agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.67",
        platform: "Win32",
        viewport: (1280, 609),
        screen: (1280, 720),
        pixel_ratio: 1.5,
        gpu: ("Google Inc. (Intel)", "ANGLE (Intel, Intel(R) UHD Graphics 620 Direct3D11 vs_5_0 ps_5_0, D3D11)"),
        mobile: false,
    },
    DeviceProfile {
        user_agent: "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
        platform: "Linux x86_64",
        viewport: (1920, 975),
        screen: (1920, 1080),
        pixel_ratio: 1.0,
        gpu: ("Mozilla", "Mozilla"),
        mobile: false,
    },
    DeviceProfile {
        user_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
        platform: "iPhone",
        viewport: (390, 664),
        screen: (390, 844),
        pixel_ratio: 3.0,
        gpu: ("Apple Inc.", "Apple GPU"),
        mobile: true,
    },
    DeviceProfile {
        user_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1",
        platform: "iPhone",
        viewport: (393, 659),
        screen: (393, 852),
        pixel_ratio: 3.0,
        gpu: ("Apple Inc.", "Apple GPU"),
        mobile: true,
    },
    DeviceProfile {
        user_agent: "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
        platform: "Linux armv81",
        viewport: (412, 839),
        screen: (412, 915),
        pixel_ratio: 2.625,
        gpu: ("Qualcomm", "Adreno (TM) 730"),
        mobile: true,
    },
    DeviceProfile {
        user_agent: "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
        platform: "Linux armv8l",
        viewport: (384, 745),
        screen: (384, 854),
        pixel_ratio: 2.8125,
        gpu: ("Qualcomm", "Adreno (TM) 740"),
        mobile: true,
    },
];

/// A site the visitor browses: origin plus (path, title) pages.
pub struct Site {
    pub origin: &'static str,
    /// Whether the site turned on the SDK's stealth-detection signals (fingerprint, GPU,
    /// screen, timezone, navigator.platform, pixel ratio); sites without them send leaner
    /// events.
    pub detailed: bool,
    pub pages: &'static [(&'static str, &'static str)],
}

pub const SITES: &[Site] = &[
    Site {
        origin: "https://shop.example.com",
        detailed: true,
        pages: &[
            ("/", "Trail & Co. — Outdoor gear for every season"),
            (
                "/collections/summer-sale",
                "Summer sale — up to 40% off | Trail & Co.",
            ),
            (
                "/products/trail-runner-2",
                "Trail Runner 2 — Lightweight running shoe | Trail & Co.",
            ),
            (
                "/products/alpine-shell-jacket",
                "Alpine Shell Jacket | Trail & Co.",
            ),
            ("/cart", "Your cart | Trail & Co."),
            (
                "/checkout/information",
                "Checkout — Information | Trail & Co.",
            ),
        ],
    },
    Site {
        origin: "https://docs.example.org",
        detailed: false,
        pages: &[
            ("/docs/getting-started", "Getting started | Example Docs"),
            ("/docs/api/events", "Events API reference | Example Docs"),
            (
                "/docs/guides/server-side-tracking",
                "Server-side tracking guide | Example Docs",
            ),
            ("/pricing", "Pricing — plans for every team | Example"),
            (
                "/blog/first-party-analytics",
                "Why first-party analytics matter | Example Blog",
            ),
        ],
    },
    Site {
        origin: "https://news.example.net",
        detailed: false,
        pages: &[
            ("/", "Example News — Today's headlines"),
            (
                "/world/2024/05/climate-summit-agreement",
                "Climate summit ends with new agreement | Example News",
            ),
            (
                "/tech/ai-chip-shortage-explained",
                "The AI chip shortage, explained | Example News",
            ),
            (
                "/sport/football/league-table",
                "League table and results | Example News",
            ),
        ],
    },
];

/// External referrers: search engines and social sites.
pub const REFERRERS: &[&str] = &[
    "https://www.google.com/",
    "https://duckduckgo.com/",
    "https://www.bing.com/",
    "https://t.co/",
    "https://www.linkedin.com/",
    "https://news.ycombinator.com/",
];

/// (IANA timezone, language) pairs.
pub const LOCALES: &[(&str, &str)] = &[
    ("America/New_York", "en-US"),
    ("America/Los_Angeles", "en-US"),
    ("Europe/London", "en-GB"),
    ("Europe/Berlin", "de-DE"),
    ("Europe/Paris", "fr-FR"),
    ("Asia/Tokyo", "ja-JP"),
    ("America/Sao_Paulo", "pt-BR"),
];

/// `navigator.connection` types seen on phones, weighted by repetition.
pub const CONNECTIONS: &[&str] = &["wifi", "4g", "wifi", "4g", "3g"];

/// Clickable elements: (selector, visible text).
pub const ELEMENTS: &[(&str, &str)] = &[
    (
        "#main > section.product-detail > form > button.add-to-cart",
        "Add to cart",
    ),
    (
        "body > header > nav.site-nav > ul > li:nth-child(3) > a",
        "Pricing",
    ),
    (
        "#main > div.product-grid > a.product-card:nth-child(4)",
        "Alpine Shell Jacket",
    ),
    (
        "#hero > div.cta-group > a.btn.btn-primary",
        "Start free trial",
    ),
    (
        "#cookie-banner > div.actions > button[data-track=\"1\"]",
        "Accept all",
    ),
    (
        "#article-body > aside.related > ul > li:nth-child(2) > a",
        "Read more",
    ),
];

/// Forms: (form id, field count, canonical field map as the SDK sends it).
pub const FORMS: &[(&str, u32, &str)] = &[
    (
        "checkout-form",
        7,
        r#"{"email":"email","first_name":"text","last_name":"text","address":"text","city":"text","zip":"text","phone":"tel"}"#,
    ),
    ("newsletter-signup", 1, r#"{"email":"email"}"#),
    (
        "contact-sales",
        5,
        r#"{"name":"text","email":"email","company":"text","team_size":"select","message":"textarea"}"#,
    ),
];

pub const FORM_ACTIONS: &[&str] = &["focus", "blur", "submit", "abandon"];

/// Custom events: (name, category, action, label).
pub const CUSTOM: &[(&str, &str, &str, &str)] = &[
    (
        "docs_filter_changed",
        "interaction",
        "change",
        "language:rust",
    ),
    (
        "video_progress",
        "media",
        "progress",
        "product-demo-2024:50%",
    ),
    (
        "plan_selected",
        "conversion",
        "click",
        "pricing_table:scale:annual",
    ),
    (
        "search_performed",
        "navigation",
        "submit",
        "query_length:14",
    ),
];
