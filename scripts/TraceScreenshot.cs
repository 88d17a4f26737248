#:package Microsoft.Playwright
// Playwright serializes its protocol with reflection, which the file-based default (native AOT) turns off.
#:property PublishAot=false
// Screenshots a trace in the Aspire dashboard once its spans arrived: TraceScreenshot.cs <trace-detail-url> <png> <chromium>.
using Microsoft.Playwright;

var (url, output, chromium) = (args[0], args[1], args[2]);

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true });
var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1600, Height = 900 } });

// Spans are exported in batches: reload until the waterfall shows Billing's span, for at most a minute.
var deadline = DateTime.UtcNow.AddMinutes(1);
while (true)
{
    await page.GotoAsync(url);
    try
    {
        await page.GetByText("billing-api").First.WaitForAsync(new() { Timeout = 5000 });
        break;
    }
    catch (TimeoutException) when (DateTime.UtcNow < deadline)
    {
    }
}

await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
await page.ScreenshotAsync(new() { Path = output });
