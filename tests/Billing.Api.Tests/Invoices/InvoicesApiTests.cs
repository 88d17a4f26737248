using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Billing.Api.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using TestSupport;

namespace Billing.Api.Tests.Invoices;

[Collection(nameof(BillingApiCollection))]
public sealed class InvoicesApiTests(BillingApiFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Created_invoice_answers_201_with_Location_and_can_be_read_back()
    {
        var token = await WriteToken();
        var paymentId = "pay-" + Guid.NewGuid();

        using var created = await fixture.SendAsync(Requests.CreateInvoice(
            new { paymentId, amount = 99.95m, currency = "EUR", description = "Order 42" }, token));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var invoice = (await created.Content.ReadFromJsonAsync<InvoiceDto>(Ct))!;
        Assert.Equal($"/invoices/{invoice.Id}", created.Headers.Location?.OriginalString);
        Assert.Equal((paymentId, 99.95m, "EUR", "Order 42"), (invoice.PaymentId, invoice.Amount, invoice.Currency, invoice.Description));

        using var read = await fixture.SendAsync(Requests.Get(created.Headers.Location!.OriginalString, token));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(invoice, await read.Content.ReadFromJsonAsync<InvoiceDto>(Ct));

        using var list = await fixture.SendAsync(Requests.Get($"/invoices?paymentId={paymentId}", token));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal([invoice], (await list.Content.ReadFromJsonAsync<InvoiceDto[]>(Ct))!);
    }

    [Fact]
    public async Task Replay_with_the_same_key_and_body_returns_the_same_invoice_with_200()
    {
        var token = await WriteToken();
        var key = Guid.NewGuid().ToString();
        var body = new { paymentId = "pay-" + Guid.NewGuid(), amount = 10.5m, currency = "EUR" };

        using var first = await fixture.SendAsync(Requests.CreateInvoice(body, token, key));
        using var replay = await fixture.SendAsync(Requests.CreateInvoice(body with { amount = 10.50m }, token, key));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal((await first.Content.ReadFromJsonAsync<InvoiceDto>(Ct))!.Id, (await replay.Content.ReadFromJsonAsync<InvoiceDto>(Ct))!.Id);
    }

    [Fact]
    public async Task Same_key_with_a_different_body_gets_422_problem()
    {
        var token = await WriteToken();
        var key = Guid.NewGuid().ToString();
        var paymentId = "pay-" + Guid.NewGuid();

        using var first = await fixture.SendAsync(Requests.CreateInvoice(new { paymentId, amount = 10m, currency = "EUR" }, token, key));
        using var conflict = await fixture.SendAsync(Requests.CreateInvoice(new { paymentId, amount = 11m, currency = "EUR" }, token, key));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, conflict.StatusCode);
        Assert.Equal("application/problem+json", conflict.Content.Headers.ContentType?.MediaType);
        var problem = await conflict.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(422, problem.GetProperty("status").GetInt32());
        using var list = await fixture.SendAsync(Requests.Get($"/invoices?paymentId={paymentId}", token));
        Assert.Single((await list.Content.ReadFromJsonAsync<InvoiceDto[]>(Ct))!);
    }

    [Fact]
    public async Task Twenty_concurrent_requests_with_one_key_create_exactly_one_invoice()
    {
        var token = await WriteToken();
        var key = Guid.NewGuid().ToString();
        var body = new { paymentId = "pay-" + Guid.NewGuid(), amount = 25m, currency = "USD" };
        fixture.Api.Logs.Clear();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            using var response = await fixture.SendAsync(Requests.CreateInvoice(body, token, key));
            return (response.StatusCode, Invoice: await response.Content.ReadFromJsonAsync<InvoiceDto>(Ct));
        })).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(19, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Single(responses.Select(r => r.Invoice!.Id).Distinct());
        using var list = await fixture.SendAsync(Requests.Get($"/invoices?paymentId={body.paymentId}", token));
        Assert.Single((await list.Content.ReadFromJsonAsync<InvoiceDto[]>(Ct))!);
        // Losing the race is normal operation, not an error in the logs.
        Assert.DoesNotContain(fixture.Api.Logs.GetSnapshot(), r => r.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task Idempotency_keys_belong_to_the_client_that_used_them()
    {
        var key = Guid.NewGuid().ToString();
        var body = new { paymentId = "pay-" + Guid.NewGuid(), amount = 5m, currency = "EUR" };
        var otherClient = TestTokens.Claims(fixture.Idp.Issuer);
        otherClient["client_id"] = otherClient["azp"] = "another-service";

        using var first = await fixture.SendAsync(Requests.CreateInvoice(body, await WriteToken(), key));
        using var second = await fixture.SendAsync(Requests.CreateInvoice(body, TestTokens.Sign(TestTokens.Header(), otherClient), key));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
    }

    [Fact]
    public async Task Missing_idempotency_key_gets_400_problem()
    {
        using var request = Requests.CreateInvoice(new { paymentId = "pay-1", amount = 1m, currency = "EUR" }, await WriteToken());
        request.Headers.Remove("Idempotency-Key");

        using var response = await fixture.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(problem.GetProperty("errors").TryGetProperty("Idempotency-Key", out _));
    }

    [Theory]
    [InlineData("""{"paymentId":"p","amount":0,"currency":"EUR"}""", "Amount")]
    [InlineData("""{"paymentId":"p","amount":-5,"currency":"EUR"}""", "Amount")]
    [InlineData("""{"paymentId":"p","amount":1.005,"currency":"EUR"}""", "Amount")]
    [InlineData("""{"paymentId":"p","amount":1.5,"currency":"JPY"}""", "Amount")]
    [InlineData("""{"paymentId":"p","amount":10000000000,"currency":"EUR"}""", "Amount")]
    [InlineData("""{"paymentId":"p","currency":"EUR"}""", "Amount")]
    [InlineData("""{"paymentId":"p","amount":1,"currency":"eur"}""", "Currency")]
    [InlineData("""{"paymentId":"p","amount":1,"currency":"XXX"}""", "Currency")]
    [InlineData("""{"paymentId":"p","amount":1,"currency":"EURO"}""", "Currency")]
    [InlineData("""{"paymentId":"p","amount":1}""", "Currency")]
    [InlineData("""{"amount":1,"currency":"EUR"}""", "PaymentId")]
    [InlineData("""{"paymentId":"  ","amount":1,"currency":"EUR"}""", "PaymentId")]
    public async Task Invalid_invoice_gets_400_validation_problem(string json, string field)
    {
        using var response = await PostRaw(json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"No error for {field}: {problem}");
    }

    [Theory]
    [InlineData("""{"paymentId":"p","amount":1,"currency":"KWD"}""")]
    [InlineData("""{"paymentId":"p","amount":1.125,"currency":"KWD"}""")]
    [InlineData("""{"paymentId":"p","amount":1500,"currency":"JPY"}""")]
    public async Task Amount_with_the_currency_s_decimal_places_is_accepted(string json)
    {
        using var response = await PostRaw(json);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"paymentId":"p","amount":"ten","currency":"EUR"}""")]
    [InlineData("""{"paymentId":"p","amount":1e400,"currency":"EUR"}""")]
    [InlineData("[]")]
    [InlineData("")]
    public async Task Unreadable_body_gets_400_not_500(string json)
    {
        using var response = await PostRaw(json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Unknown_invoice_gets_404_problem()
    {
        using var response = await fixture.SendAsync(Requests.Get($"/invoices/{Guid.NewGuid()}", await ReadToken()));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Listing_without_paymentId_gets_400_problem()
    {
        using var response = await fixture.SendAsync(Requests.Get("/invoices", await ReadToken()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private Task<string> WriteToken() => fixture.Idp.GetAccessTokenAsync("payments-service", "billing:write", Ct);

    private Task<string> ReadToken() => fixture.Idp.GetAccessTokenAsync("payments-service", ct: Ct);

    private async Task<HttpResponseMessage> PostRaw(string json)
    {
        var request = Requests.CreateInvoice(new { }, await WriteToken());
        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return await fixture.SendAsync(request);
    }
}
