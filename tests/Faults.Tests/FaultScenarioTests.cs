using System.Text;
using System.Text.Json;
using Faults.Tests.Infrastructure;

namespace Faults.Tests;

/// <summary>
/// The promises (cached tokens, refresh-ahead, retry once on 401, the outbox) held while tens of callers pay and read
/// and real processes die: EmbeddedIdp, Billing.Api and Payments.Api run as processes behind counting proxies.
/// Each scenario's figures go to the test output. <see cref="Soak.Variable"/> stretches every phase for a soak.
/// </summary>
public sealed class FaultScenarioTests
{
    // The outbox worker delivers one invoice at a time: a backlog of an outage takes a while on a busy machine.
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(300);
    private static readonly TimeSpan OutageSeenTimeout = TimeSpan.FromSeconds(90);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Token_rollover_under_load_gives_no_401_at_billing_and_one_token_request_per_refresh_interval()
    {
        var lifetime = TimeSpan.FromSeconds(10);
        await using var system = await FaultSystem.StartAsync(new FaultSystemOptions { PaymentsTokenLifetime = lifetime }, Ct);
        await using var traffic = await StartTrafficAsync(system);
        var started = DateTimeOffset.UtcNow;

        await RunAsync(Soak.Phase(30));
        await traffic.StopAsync();
        var duration = DateTimeOffset.UtcNow - started;

        ScenarioReport.Write("1. Token rollover", duration, traffic, system);
        AssertOnlySuccesses(traffic);
        Assert.Equal(0, system.Billing.CountOf(k => k.EndsWith(" 401", StringComparison.Ordinal)));
        // Refresh-ahead renews a token at 80% of its lifetime (20% before expiry, under a minute): about one request
        // per refresh interval and scope set, never fewer than one per lifetime.
        var refreshInterval = lifetime * 0.8;
        foreach (var scope in new[] { "billing:write", "billing:read" })
        {
            var requests = system.Idp.TokenRequestsOf("payments-service", scope);
            Assert.InRange(requests, (int)(duration / lifetime), (int)Math.Ceiling(duration / refreshInterval) + 2);
        }

        AssertNothingSecretLogged(system);
    }

    [Fact]
    public async Task Key_rotation_under_load_fails_no_call_and_billing_fetches_the_jwks_once_per_rotation()
    {
        await using var system = await FaultSystem.StartAsync(new FaultSystemOptions(), Ct);
        await using var traffic = await StartTrafficAsync(system);
        var started = DateTimeOffset.UtcNow;
        await RunAsync(Soak.Phase(8));
        var firstKid = KidOf(system.Idp.IssuedTokens.Last());

        // The keys are refreshed for an unknown kid at most once a minute: rotations of a soak are further apart.
        var rotations = Soak.Factor;
        var jwksBefore = system.Idp.JwksFetches;
        var newKid = firstKid;
        for (var rotation = 0; rotation < rotations; rotation++)
        {
            newKid = await system.RotateIdpSigningKeyAsync(Ct);
            // Long enough for Payments' tokens to roll over to the new key (10 s lifetime) and be used at Billing.
            await RunAsync(rotations == 1 ? TimeSpan.FromSeconds(20) : TimeSpan.FromSeconds(70));
        }

        await traffic.StopAsync();
        var jwksFetches = system.Idp.JwksFetches - jwksBefore;

        ScenarioReport.Write($"2. Key rotation ({rotations}×)", DateTimeOffset.UtcNow - started, traffic, system, jwksFetches: jwksFetches);
        AssertOnlySuccesses(traffic);
        Assert.NotEqual(firstKid, newKid);
        Assert.Equal(newKid, KidOf(system.Idp.IssuedTokens.Last()));
        // Callers keep their tokens of the old key, so only Billing meets the new kid and fetches the keys.
        Assert.Equal(rotations, jwksFetches);
        AssertNothingSecretLogged(system);
    }

    [Fact]
    public async Task Idp_outage_under_load_answers_202_and_503_with_retry_after_and_delivers_every_invoice_when_it_is_back()
    {
        await using var system = await FaultSystem.StartAsync(new FaultSystemOptions(), Ct);
        await using var traffic = await StartTrafficAsync(system);
        var started = DateTimeOffset.UtcNow;
        await RunAsync(Soak.Phase(8));

        await system.KillIdpAsync();
        // Calls go on with cached tokens; once they expire, payments are accepted as pending and reads are 503.
        await traffic.WaitUntilAsync(t => t.CountOf(k => k == "POST 202") > 0 && t.CountOf(k => k == "GET 503") > 0, OutageSeenTimeout, Ct);
        await RunAsync(Soak.Phase(5));
        await system.StartIdpAsync(Ct);
        await RunAsync(Soak.Phase(8));
        await traffic.StopAsync();

        var (payments, invoices) = await SettledAsync(system);
        ScenarioReport.Write("3. IdP outage", DateTimeOffset.UtcNow - started, traffic, system, payments, invoices);
        AssertNoViolations(traffic);
        Assert.Equal(0, traffic.CountOf(k => k.EndsWith(" 500", StringComparison.Ordinal)));
        AssertEveryPaymentHasExactlyOneInvoice(traffic, payments, invoices);
        AssertNothingSecretLogged(system);
    }

    [Fact]
    public async Task Billing_outage_under_load_ends_with_exactly_one_invoice_per_accepted_payment()
    {
        await using var system = await FaultSystem.StartAsync(new FaultSystemOptions(), Ct);
        await using var traffic = await StartTrafficAsync(system);
        var started = DateTimeOffset.UtcNow;
        await RunAsync(Soak.Phase(8));

        await system.KillBillingAsync();
        await traffic.WaitUntilAsync(t => t.CountOf(k => k == "POST 202") > 0 && t.CountOf(k => k == "GET 503") > 0, OutageSeenTimeout, Ct);
        await RunAsync(Soak.Phase(5));
        await system.StartBillingAsync(Ct);
        await RunAsync(Soak.Phase(8));
        await traffic.StopAsync();

        var (payments, invoices) = await SettledAsync(system);
        ScenarioReport.Write("4. Billing outage", DateTimeOffset.UtcNow - started, traffic, system, payments, invoices);
        AssertNoViolations(traffic);
        AssertEveryPaymentHasExactlyOneInvoice(traffic, payments, invoices);
        AssertNothingSecretLogged(system);
    }

    [Fact]
    public async Task Payments_killed_with_deliveries_pending_delivers_each_of_them_once_after_the_restart()
    {
        await using var system = await FaultSystem.StartAsync(new FaultSystemOptions(), Ct);
        await using var traffic = await StartTrafficAsync(system);
        var started = DateTimeOffset.UtcNow;
        await RunAsync(Soak.Phase(5));

        // Billing down first, so invoices pile up in the outbox; then Payments dies without a graceful stop.
        await system.KillBillingAsync();
        await traffic.WaitUntilAsync(t => t.CountOf(k => k == "POST 202") >= 20, OutageSeenTimeout, Ct);
        traffic.PaymentsDown = true;
        await system.KillPaymentsAsync();
        var pendingAtKill = (await system.PaymentsRowsAsync(Ct)).OutboxEntries;
        await RunAsync(Soak.Phase(3));

        await system.StartBillingAsync(Ct);
        await system.StartPaymentsAsync(Ct);
        traffic.PaymentsDown = false;
        await RunAsync(Soak.Phase(8));
        await traffic.StopAsync();

        var (payments, invoices) = await SettledAsync(system);
        var report = ScenarioReport.Write("5. Payments killed", DateTimeOffset.UtcNow - started, traffic, system, payments, invoices);
        TestContext.Current.TestOutputHelper?.WriteLine($"- deliveries pending when Payments was killed: {pendingAtKill}");
        Assert.True(pendingAtKill > 0, "No delivery was pending when Payments was killed.\n" + report);
        AssertNoViolations(traffic);
        AssertEveryPaymentHasExactlyOneInvoice(traffic, payments, invoices);
        AssertNothingSecretLogged(system);
    }

    [Fact]
    public async Task Nothing_secret_is_in_any_log_line_or_span_even_at_debug_level_through_rollover_rejection_and_outage()
    {
        var verbose = new Dictionary<string, string>
        {
            ["Logging__LogLevel__Default"] = "Debug",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Debug",
            ["Logging__LogLevel__Microsoft.EntityFrameworkCore"] = "Warning",
            ["Logging__LogLevel__System.Net.Http"] = "Trace",
        };
        await using var system = await FaultSystem.StartAsync(
            new FaultSystemOptions { PaymentsTokenLifetime = TimeSpan.FromSeconds(5), Logging = verbose }, Ct);
        await using var traffic = await StartTrafficAsync(system);
        var started = DateTimeOffset.UtcNow;
        await RunAsync(Soak.Phase(8));

        // A token with a broken signature, sent to both APIs: each logs why it refused it, and must not log the token.
        var callerToken = system.Idp.IssuedTokens.First();
        var forged = callerToken[..^4] + (callerToken.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        foreach (var address in new[] { system.Payments.Address, system.Billing.Address })
        {
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            using var request = new HttpRequestMessage(HttpMethod.Get, address == system.Payments.Address ? $"/payments/{Guid.NewGuid()}" : "/invoices?paymentId=x");
            request.Headers.Authorization = new("Bearer", forged);
            using var rejected = await http.SendAsync(request, Ct);
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, rejected.StatusCode);
        }

        await system.KillIdpAsync();
        await RunAsync(Soak.Phase(6));
        await system.StartIdpAsync(Ct);
        await RunAsync(Soak.Phase(6));
        await traffic.StopAsync();
        await SettledAsync(system);

        ScenarioReport.Write("6. Nothing secret in logs (Debug level)", DateTimeOffset.UtcNow - started, traffic, system);
        Assert.True(system.Logs.LineCount > 100, $"Only {system.Logs.LineCount} log lines were captured.");
        Assert.True(system.Logs.ExportsOf("traces") > 0 && system.Logs.ExportsOf("logs") > 0, "No spans or logs were exported.");
        AssertNothingSecretLogged(system, forged);
    }

    private static async Task<Traffic> StartTrafficAsync(FaultSystem system)
    {
        var token = await system.CallerTokenAsync(Ct);
        await system.WarmUpAsync(token, Ct);
        system.Idp.ResetCounts();
        system.Billing.ResetCounts();
        var traffic = new Traffic(system.Payments.Address, token, Soak.Callers, Soak.Pause);
        traffic.Start();
        return traffic;
    }

    /// <summary>Lets the traffic run for a phase of the scenario (the run's length, not a wait for something to happen).</summary>
    private static Task RunAsync(TimeSpan phase) => Task.Delay(phase, Ct);

    /// <summary>Waits (bounded) until the outbox is empty, then reads both databases.</summary>
    private static async Task<(PaymentsRows Payments, IReadOnlyList<(Guid Id, string PaymentId)> Invoices)> SettledAsync(FaultSystem system)
    {
        var payments = await system.WaitForOutboxEmptyAsync(DeliveryTimeout, Ct);
        return (payments, await system.InvoiceRowsAsync(Ct));
    }

    private static void AssertOnlySuccesses(Traffic traffic)
    {
        AssertNoViolations(traffic);
        var failures = traffic.Counts.Where(c => !c.Key.EndsWith(" 200", StringComparison.Ordinal) && !c.Key.EndsWith(" 201", StringComparison.Ordinal));
        Assert.Empty(failures);
    }

    private static void AssertNoViolations(Traffic traffic) =>
        Assert.True(traffic.Violations.Count == 0, string.Join('\n', traffic.Violations.Take(20)));

    /// <summary>0 lost, 0 duplicates: every payment (and every accepted answer) has one invoice, the one it records.</summary>
    private static void AssertEveryPaymentHasExactlyOneInvoice(
        Traffic traffic, PaymentsRows payments, IReadOnlyList<(Guid Id, string PaymentId)> invoices)
    {
        Assert.NotEmpty(payments.Payments);
        Assert.Equal(0, payments.OutboxEntries);
        Assert.All(payments.Payments, p => Assert.Equal("Invoiced", p.Status));
        Assert.Empty(traffic.Accepted.Except(payments.Payments.Select(p => p.Id)));

        var invoicesByPayment = invoices.ToLookup(i => Guid.Parse(i.PaymentId));
        Assert.Equal(payments.Payments.Count, invoices.Count);
        Assert.All(payments.Payments, p => Assert.Equal(p.InvoiceId, Assert.Single(invoicesByPayment[p.Id]).Id));
    }

    private static void AssertNothingSecretLogged(FaultSystem system, params string[] more)
    {
        var found = system.Logs.FindSecrets(system.Secrets.Concat(system.Idp.IssuedTokens).Concat(more));
        Assert.True(found.Count == 0, string.Join('\n', found.Take(20)));
    }

    private static string KidOf(string jwt)
    {
        var header = jwt.Split('.')[0].Replace('-', '+').Replace('_', '/');
        header = header.PadRight(header.Length + (4 - header.Length % 4) % 4, '=');
        using var json = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(header)));
        return json.RootElement.GetProperty("kid").GetString()!;
    }
}
