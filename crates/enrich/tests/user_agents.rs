//! Table tests of real user agents through `UaParser`: device summary, headless flag and
//! bot registry match, plus the cache's behaviour.

use std::sync::{Arc, OnceLock};

use clickwire_enrich::{
    ua::{UaParser, UserAgentInfo},
    BotCategory::{self, *},
    DeviceType::{self, Desktop, Mobile, Tablet},
};

fn parser() -> &'static UaParser {
    static PARSER: OnceLock<UaParser> = OnceLock::new();
    PARSER.get_or_init(|| UaParser::new(1_000).expect("vendored data compiles"))
}

/// What one user agent should parse to.
struct Case {
    what: &'static str,
    ua: &'static str,
    device: DeviceType,
    browser: &'static str,
    os: &'static str,
    /// Registry match: category, name, HTTP library.
    bot: Option<(BotCategory, &'static str, bool)>,
    headless: bool,
}

const fn human(
    what: &'static str,
    ua: &'static str,
    device: DeviceType,
    browser: &'static str,
    os: &'static str,
) -> Case {
    Case {
        what,
        ua,
        device,
        browser,
        os,
        bot: None,
        headless: false,
    }
}

const fn bot(
    what: &'static str,
    ua: &'static str,
    (device, browser, os): (DeviceType, &'static str, &'static str),
    (category, name, http_library): (BotCategory, &'static str, bool),
) -> Case {
    Case {
        what,
        ua,
        device,
        browser,
        os,
        bot: Some((category, name, http_library)),
        headless: false,
    }
}

const BROWSERS: &[Case] = &[
    human("desktop Chrome on macOS", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", Desktop, "Chrome", "macOS"),
    human("desktop Firefox on Windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0", Desktop, "Firefox", "Windows"),
    human("desktop Firefox on Linux", "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0", Desktop, "Firefox", "Linux"),
    human("desktop Safari on macOS", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", Desktop, "Safari", "macOS"),
    human("desktop Edge on Windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", Desktop, "Edge", "Windows"),
    human("desktop Opera on Windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0", Desktop, "Opera", "Windows"),
    human("Chrome on a Chromebook", "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", Desktop, "Chrome", "ChromeOS"),
    human("iPhone Safari", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", Mobile, "Safari", "iOS"),
    human("iPhone Chrome", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1", Mobile, "Chrome", "iOS"),
    human("iPhone Firefox", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/127.0 Mobile/15E148 Safari/605.1.15", Mobile, "Firefox", "iOS"),
    human("iPad Safari", "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", Tablet, "Safari", "iOS"),
    human("iPad app web view reporting Mac OS X", "Mozilla/5.0 (iPad; Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148", Tablet, "Safari", "iOS"),
    human("Android phone Chrome", "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.122 Mobile Safari/537.36", Mobile, "Chrome", "Android"),
    human("Android phone Chrome with the reduced UA", "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36", Mobile, "Chrome", "Android"),
    human("Android phone Samsung Internet", "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36", Mobile, "Samsung Internet", "Android"),
    human("Android phone Firefox", "Mozilla/5.0 (Android 14; Mobile; rv:127.0) Gecko/127.0 Firefox/127.0", Mobile, "Firefox", "Android"),
    human("Android tablet Chrome", "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.122 Safari/537.36", Tablet, "Chrome", "Android"),
    human("Kindle Fire Silk", "Mozilla/5.0 (Linux; Android 9; KFMAWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/126.4.1 like Chrome/126.0.6478.126 Safari/537.36", Tablet, "Silk", "Android"),
    human("an empty user agent", "", Desktop, "Other", "Other"),
];

const BOTS: &[Case] = &[
    bot("Googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", (Desktop, "Googlebot", "Other"), (SearchCrawler, "Googlebot", false)),
    bot("Googlebot smartphone", "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.126 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", (Mobile, "Googlebot", "Android"), (SearchCrawler, "Googlebot", false)),
    bot("Bingbot", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", (Desktop, "Bingbot", "Other"), (SearchCrawler, "Bingbot", false)),
    bot("YandexBot", "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", (Desktop, "YandexBot", "Other"), (SearchCrawler, "YandexBot", false)),
    bot("GPTBot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)", (Desktop, "GPTBot", "Other"), (AiAgent, "GPTBot", false)),
    bot("ChatGPT-User", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; +https://openai.com/bot", (Desktop, "ChatGPT-User", "Other"), (AiAgent, "ChatGPT-User", false)),
    bot("ClaudeBot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)", (Desktop, "ClaudeBot", "Other"), (AiAgent, "ClaudeBot", false)),
    bot("PerplexityBot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)", (Desktop, "PerplexityBot", "Other"), (AiAgent, "PerplexityBot", false)),
    bot("Applebot-Extended, from clickwire's own list", "Mozilla/5.0 (compatible; Applebot-Extended/0.1; +http://www.apple.com/go/applebot)", (Desktop, "Applebot-Extended", "Other"), (AiAgent, "Applebot-Extended", false)),
    bot("facebookexternalhit", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", (Desktop, "facebookexternalhit", "Other"), (SocialPreview, "facebookexternalhit", false)),
    bot("Slackbot", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", (Desktop, "Slackbot", "Other"), (SocialPreview, "Slackbot", false)),
    bot("AhrefsBot", "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", (Desktop, "AhrefsBot", "Other"), (SeoTool, "AhrefsBot", false)),
    bot("SemrushBot", "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)", (Desktop, "SemrushBot", "Other"), (SeoTool, "SemrushBot", false)),
    bot("UptimeRobot", "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", (Desktop, "UptimeRobot", "Other"), (Monitoring, "UptimeRobot", false)),
    bot("curl", "curl/8.5.0", (Desktop, "curl", "Other"), (Scraper, "curl", true)),
    bot("python-requests", "python-requests/2.32.3", (Desktop, "Python Requests", "Other"), (Scraper, "python-requests", true)),
    bot("Go-http-client", "Go-http-client/1.1", (Desktop, "Go-http-client", "Other"), (Scraper, "Go-http-client", true)),
    bot("OkHttp as the library sends it", "okhttp/4.12.0", (Desktop, "okhttp", "Other"), (Scraper, "OkHttp", true)),
    bot("a native iOS app on CFNetwork", "AcmeApp/2.1.0 CFNetwork iOS/17.5", (Mobile, "AcmeApp", "iOS"), (Scraper, "CFNetwork", true)),
    bot("a native Android app on OkHttp", "AcmeApp/2.1.0 OkHttp Android/15", (Mobile, "Other", "Android"), (Scraper, "OkHttp", true)),
    bot("sqlmap", "sqlmap/1.8#stable (https://sqlmap.org)", (Desktop, "sqlmap", "Other"), (Scanner, "sqlmap", false)),
];

const HEADLESS: &[Case] = &[
    Case {
        what: "HeadlessChrome",
        ua: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.6478.126 Safari/537.36",
        device: Desktop,
        browser: "HeadlessChrome",
        os: "Linux",
        bot: Some((Automation, "HeadlessChrome", false)),
        headless: true,
    },
    Case {
        what: "PhantomJS",
        ua: "Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1",
        device: Desktop,
        browser: "PhantomJS",
        os: "Linux",
        bot: Some((Automation, "PhantomJS", false)),
        headless: true,
    },
];

/// Registry only: (user agent, name, category, HTTP library), one row per well-known bot
/// or tool the contract's categories are about.
const REGISTRY: &[(&str, &str, BotCategory, bool)] = &[
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_1) AppleWebKit/600.2.5 (KHTML, like Gecko) Version/8.0.2 Safari/600.2.5 (Applebot/0.1)", "Applebot", SearchCrawler, false),
    ("Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", "Baiduspider", SearchCrawler, false),
    ("DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)", "DuckDuckBot", SearchCrawler, false),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; OAI-SearchBot/1.0; +https://openai.com/searchbot", "OAI-SearchBot", AiAgent, false),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Claude-User/1.0; +Claude-User@anthropic.com)", "Claude-User", AiAgent, false),
    ("CCBot/2.0 (https://commoncrawl.org/faq/)", "CCBot", AiAgent, false),
    ("Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)", "Bytespider", AiAgent, false),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_1) AppleWebKit/600.2.5 (KHTML, like Gecko) Version/8.0.2 Safari/600.2.5 (Amazonbot/0.1; +https://developer.amazon.com/support/amazonbot)", "Amazonbot", AiAgent, false),
    ("meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)", "meta-externalagent", AiAgent, false),
    ("Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "Discordbot", SocialPreview, false),
    ("Twitterbot/1.0", "Twitterbot", SocialPreview, false),
    ("LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)", "LinkedInBot", SocialPreview, false),
    ("TelegramBot (like TwitterBot)", "TelegramBot", SocialPreview, false),
    ("WhatsApp/2.23.20.0 A", "WhatsApp", SocialPreview, false),
    ("Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)", "MJ12bot", SeoTool, false),
    ("Mozilla/5.0 (compatible; DotBot/1.2; +https://opensiteexplorer.org/dotbot; help@moz.com)", "DotBot", SeoTool, false),
    ("Screaming Frog SEO Spider/20.0", "Screaming Frog SEO Spider", SeoTool, false),
    ("Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)", "Pingdom", Monitoring, false),
    ("StatusCake_Uptime_Checker/1.0", "StatusCake", Monitoring, false),
    ("Site24x7", "Site24x7", Monitoring, false),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 DatadogSynthetics", "DatadogSynthetics", Monitoring, false),
    ("Wget/1.21.4", "Wget", Scraper, true),
    ("libwww-perl/6.72", "libwww-perl", Scraper, true),
    ("axios/1.6.8", "axios", Scraper, true),
    ("node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", "node-fetch", Scraper, true),
    ("Java/17.0.10", "Java", Scraper, true),
    ("Dalvik/2.1.0 (Linux; U; Android 14; SM-S918B Build/UP1A.231005.007)", "Dalvik", Scraper, true),
    ("Scrapy/2.11.0 (+https://scrapy.org)", "Scrapy", Scraper, false),
    ("Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)", "Nmap", Scanner, false),
    ("masscan/1.3 (https://github.com/robertdavidgraham/masscan)", "masscan", Scanner, false),
    ("Mozilla/5.0 zgrab/0.x", "zgrab", Scanner, false),
    ("Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:Port Check)", "Nikto", Scanner, false),
    ("Nuclei - Open-source project (github.com/projectdiscovery/nuclei)", "Nuclei", Scanner, false),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Playwright/1.40.0", "Playwright", Automation, false),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36; Selenium", "Selenium", Automation, false),
];

/// Every difference between `case` and what the parser says, for one readable failure.
fn differences(case: &Case, info: &UserAgentInfo) -> Vec<String> {
    let mut diffs = Vec::new();
    let mut check = |field: &str, want: String, got: String| {
        if want != got {
            diffs.push(format!("{}: {field} want {want:?} got {got:?}", case.what));
        }
    };
    check(
        "device",
        format!("{:?}", case.device),
        format!("{:?}", info.device.device_type),
    );
    check(
        "browser",
        case.browser.to_owned(),
        info.device.browser.clone(),
    );
    check("os", case.os.to_owned(), info.device.os.clone());
    check(
        "isMobile",
        (case.device != Desktop).to_string(),
        info.device.is_mobile.to_string(),
    );
    check(
        "headless",
        case.headless.to_string(),
        info.headless.to_string(),
    );
    let got_bot = info
        .bot
        .as_ref()
        .map(|b| (b.category, b.name.as_str(), b.http_library));
    check("bot", format!("{:?}", case.bot), format!("{got_bot:?}"));
    diffs
}

fn assert_table(cases: &[Case]) {
    let diffs: Vec<String> = cases
        .iter()
        .flat_map(|case| differences(case, &parser().parse(case.ua)))
        .collect();
    assert!(diffs.is_empty(), "\n{}", diffs.join("\n"));
}

#[test]
fn browsers_get_the_names_users_know_and_the_right_device_type() {
    assert_table(BROWSERS);
}

#[test]
fn crawlers_ai_agents_tools_and_http_libraries_are_named_and_categorised() {
    assert_table(BOTS);
}

#[test]
fn headless_browsers_are_flagged_and_matched_as_automation() {
    assert_table(HEADLESS);
}

#[test]
fn the_registry_names_and_categorises_well_known_bots_and_tools() {
    let diffs: Vec<String> = REGISTRY
        .iter()
        .filter_map(|&(ua, name, category, http_library)| {
            let got = parser().bots().classify(ua);
            let got = got
                .as_ref()
                .map(|b| (b.name.as_str(), b.category, b.http_library));
            (got != Some((name, category, http_library))).then(|| {
                format!(
                    "{ua}: want {:?} got {got:?}",
                    (name, category, http_library)
                )
            })
        })
        .collect();
    assert!(diffs.is_empty(), "\n{}", diffs.join("\n"));
}

#[test]
fn the_device_summary_serialises_as_the_feed_shows_it() {
    let info = parser().parse(BROWSERS[0].ua);
    let json = serde_json::to_value(&info.device).expect("serialises");
    assert_eq!(
        json,
        serde_json::json!({"type": "desktop", "browser": "Chrome", "os": "macOS", "isMobile": false})
    );
}

#[test]
fn a_cache_hit_returns_the_same_shared_value() {
    let ua = "Mozilla/5.0 (compatible; cache-hit-test/1.0)";
    let first = parser().parse(ua);
    let second = parser().parse(ua);
    assert!(Arc::ptr_eq(&first, &second));
    assert_eq!(*first, parser().parse_uncached(ua));
}

#[test]
fn the_cache_stays_within_its_capacity() {
    let parser = UaParser::new(64).expect("vendored data compiles");
    for i in 0..1_000 {
        parser.parse(&format!("Mozilla/5.0 (compatible; Probe/{i})"));
    }
    assert!(parser.cached_len() <= 64, "{} cached", parser.cached_len());
}

#[test]
fn a_zero_capacity_cache_still_parses() {
    let parser = UaParser::new(0).expect("vendored data compiles");
    let info = parser.parse("curl/8.5.0");
    assert_eq!(info.bot.as_ref().map(|b| b.name.as_str()), Some("curl"));
    assert_eq!(parser.cached_len(), 0);
}

#[test]
fn concurrent_parses_agree_with_the_uncached_parse() {
    let uas: Vec<&str> = BROWSERS.iter().chain(BOTS).map(|c| c.ua).collect();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for ua in &uas {
                    assert_eq!(*parser().parse(ua), parser().parse_uncached(ua), "{ua}");
                }
            });
        }
    });
}

#[test]
fn an_oversized_user_agent_is_parsed_from_its_head() {
    let huge = format!("curl/8.5.0 {}", "x".repeat(100_000));
    let info = parser().parse(&huge);
    assert_eq!(info.bot.as_ref().map(|b| b.name.as_str()), Some("curl"));
}
