using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using Payments.Api.Payments;
using Payments.Api.Tests.Infrastructure;

namespace Payments.Api.Tests.Functional;

/// <summary>The Payments.Api contract: status codes, idempotency, validation, RFC 6750 challenges.</summary>
[Collection(nameof(PaymentsCollection))]
public sealed class PaymentsApiTests(IdpAndBillingFixture fixture) : IAsyncLifetime
{
    private PaymentsHost _payments = null!;
    private HttpClient _caller = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => (_payments, _caller) = await fixture.SharedPaymentsAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Payment_is_created_with_its_invoice_and_read_back_with_the_invoice_from_billing()
    {
        using var created = await _caller.PostPaymentAsync("order-1", amount: 19.99m, cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var payment = await created.ReadPaymentAsync(Ct);
        Assert.Equal($"/payments/{payment.Id}", created.Headers.Location?.OriginalString);
        Assert.Equal(PaymentStatus.Invoiced, payment.Status);
        Assert.Equal(payment.Id.ToString(), payment.Invoice?.PaymentId);
        Assert.Equal(19.99m, payment.Invoice?.Amount);

        using var read = await _caller.GetAsync(created.Headers.Location, Ct);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(payment.Invoice, (await read.ReadPaymentAsync(Ct)).Invoice);
    }

    [Fact]
    public async Task Same_idempotency_key_twice_is_one_payment_and_one_invoice()
    {
        using var first = await _caller.PostPaymentAsync("order-twice", cancellationToken: Ct);
        using var second = await _caller.PostPaymentAsync("order-twice", cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var original = await first.ReadPaymentAsync(Ct);
        var replay = await second.ReadPaymentAsync(Ct);
        Assert.Equal(original.Id, replay.Id);
        Assert.Equal(original.Invoice, replay.Invoice);

        var token = await fixture.Idp.GetAccessTokenAsync("payments-service", "billing:read", Ct);
        Assert.Single(await fixture.Billing.InvoicesOfPaymentAsync(original.Id.ToString(), token, Ct));
    }

    [Fact]
    public async Task Replay_answers_the_same_representation_as_the_first_answer()
    {
        using var first = await _caller.PostPaymentAsync("order-same-answer", amount: 42.5m, cancellationToken: Ct);
        using var replay = await _caller.PostPaymentAsync("order-same-answer", amount: 42.50m, cancellationToken: Ct);
        using var read = await _caller.GetAsync(first.Headers.Location, Ct);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        var firstBody = await first.Content.ReadAsStringAsync(Ct);
        // EUR has two decimal places: the payment and its invoice read 42.50, never 42.5.
        Assert.Equal(2, firstBody.Split("\"amount\":42.50,").Length - 1);
        Assert.Equal(firstBody, await replay.Content.ReadAsStringAsync(Ct));
        Assert.Equal(firstBody, await read.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Concurrent_requests_with_the_same_idempotency_key_make_one_payment()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => _caller.PostPaymentAsync("order-race", cancellationToken: Ct)))
            .WaitAsync(IdpAndBillingFixture.Timeout, Ct);

        var payments = await Task.WhenAll(responses.Select(response => response.ReadPaymentAsync(Ct)));
        Assert.Single(payments.Select(payment => payment.Id).Distinct());
        Assert.Single(responses, response => response.StatusCode == HttpStatusCode.Created);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Same_idempotency_key_with_another_body_is_422()
    {
        using var first = await _caller.PostPaymentAsync("order-reused", amount: 10m, cancellationToken: Ct);
        using var second = await _caller.PostPaymentAsync("order-reused", amount: 11m, cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Invalid_payment_is_400_with_the_errors_per_field()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/payments")
        {
            Content = JsonContent.Create(new { amount = -1m, currency = "eur" }),
        };

        using var response = await _caller.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>(Ct);
        Assert.Equal(["Amount", "Currency", "Idempotency-Key"], problem!.Errors.Keys.Order());
    }

    [Theory]
    [InlineData(1.5, "JPY", "Amount")]
    [InlineData(1.234, "EUR", "Amount")]
    [InlineData(1, "XYZ", "Currency")]
    public async Task Payment_that_billing_could_not_invoice_is_400(double amount, string currency, string field)
    {
        using var response = await _caller.PostPaymentAsync($"uninvoiceable-{currency}-{amount}", (decimal)amount, currency, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>(Ct);
        Assert.Equal([field], problem!.Errors.Keys);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"amount":"ten","currency":"EUR"}""")]
    [InlineData("[]")]
    public async Task Unreadable_body_is_400_problem_details_not_500(string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/payments")
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", "unreadable");

        using var response = await _caller.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Unknown_payment_is_404_problem_details()
    {
        using var response = await _caller.GetAsync($"/payments/{Guid.NewGuid()}", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Call_without_a_token_is_401_with_a_bearer_challenge()
    {
        using var anonymous = _payments.CreateClient();

        using var response = await anonymous.GetAsync($"/payments/{Guid.NewGuid()}", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task Read_only_token_cannot_create_a_payment()
    {
        using var reader = await _payments.CreateCallerAsync("payments:read");

        using var response = await reader.PostPaymentAsync("read-only", cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("insufficient_scope", Assert.Single(response.Headers.WwwAuthenticate).Parameter);
    }

    [Fact]
    public async Task Billing_token_is_not_accepted_by_payments()
    {
        using var client = _payments.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", await fixture.Idp.GetAccessTokenAsync("payments-service", "billing:read", Ct));

        using var response = await client.GetAsync($"/payments/{Guid.NewGuid()}", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", Assert.Single(response.Headers.WwwAuthenticate).Parameter);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    [InlineData("/openapi/v1.json")]
    public async Task Probes_and_the_openapi_document_answer_without_a_token(string path)
    {
        using var anonymous = _payments.CreateClient();

        using var response = await anonymous.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Missing_client_secret_stops_startup_with_a_message_naming_the_key()
    {
        await using var payments = fixture.StartPayments(clientSecret: "");

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => payments.CreateClient());

        Assert.Contains("TokenClient:billing:ClientSecret is required.", error.Failures);
    }
}
