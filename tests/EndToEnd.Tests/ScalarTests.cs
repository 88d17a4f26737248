using Microsoft.Playwright;
using TestSupport;

namespace EndToEnd.Tests;

/// <summary>
/// Billing's Scalar page in a real headless chromium: a person types the client secret, presses Authorize (the browser
/// itself asks the IdP for the token, allowed by the realm's webOrigins), and calls an endpoint with it.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ScalarTests(AppHostFixture appHost)
{
    private const float Timeout = 30_000;

    [Fact]
    public async Task A_person_authorizes_with_client_credentials_on_the_Scalar_page_and_calls_an_endpoint()
    {
        var chromium = ExternalTool.Find("chromium");
        Assert.SkipWhen(chromium is null, "chromium is not installed (apt-get install chromium; .ci/run installs it), so the Scalar page cannot be driven here.");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        page.SetDefaultTimeout(Timeout);
        await page.GotoAsync($"{appHost.UrlOf("billing-api")}/scalar/");

        // Filled in by the service: the oauth2 scheme, its token URL, client id payments-service and both billing scopes.
        var tokenResponse = page.WaitForResponseAsync(response => response.Url.EndsWith("/protocol/openid-connect/token", StringComparison.Ordinal));
        await page.GetByPlaceholder("XYZ123").First.FillAsync(appHost.SecretOf("payments-service"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Authorize", Exact = true }).ClickAsync();
        Assert.Equal(200, (await tokenResponse).Status);
        await page.GetByText("Access Token").First.WaitForAsync();

        // Test Request on GET /invoices, with a paymentId in the query (the sidebar link scrolls it into view; Scalar renders sections lazily).
        await page.GetByText("Lists the invoices of a payment").First.ClickAsync();
        await page.Locator("button.show-api-client-button[method=get]").First.ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.Locator("xpath=//*[@aria-label=' Key' and normalize-space()='paymentId']/ancestor::*[.//*[@aria-label=' Value']][1]//*[@aria-label=' Value']").ClickAsync();
        await page.Keyboard.TypeAsync("scalar-test");
        var call = page.WaitForResponseAsync(response => response.Url.Contains("/invoices?paymentId=scalar-test", StringComparison.Ordinal));
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Send" }).First.ClickAsync();

        var response = await call;
        Assert.Equal(200, response.Status);
        Assert.StartsWith("Bearer ey", await response.Request.HeaderValueAsync("authorization"));
        await dialog.GetByText("200 OK").WaitForAsync();
    }
}
