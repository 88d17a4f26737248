using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Faults.Tests.Infrastructure;

/// <summary>
/// EmbeddedIdp, Billing.Api and Payments.Api as real processes, each behind a <see cref="CountingProxy"/> with a fixed
/// address, with their own temp folder, generated secrets, and a realm file whose token lifetimes the test chooses.
/// Every console line and every exported span and log goes into <see cref="Logs"/>.
/// </summary>
public sealed class FaultSystem : IAsyncDisposable
{
    private static readonly string[] Clients = ["payments-service", "checkout-service", "billing-api", "payments-api"];

    private readonly Dictionary<string, string> _secrets = Clients.ToDictionary(c => c, _ => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("m2mdemo-faults-");
    private readonly FaultSystemOptions _options;
    private readonly OtlpReceiver _otlp;

    private FaultSystem(FaultSystemOptions options)
    {
        _options = options;
        _otlp = new OtlpReceiver(Logs);
    }

    public LogCapture Logs { get; } = new();

    public CountingProxy Idp { get; } = new("idp");

    public CountingProxy Billing { get; } = new("billing-api");

    public CountingProxy Payments { get; } = new("payments-api");

    public ServiceProcess? IdpProcess { get; private set; }

    public ServiceProcess? BillingProcess { get; private set; }

    public ServiceProcess? PaymentsProcess { get; private set; }

    public string Issuer => $"{Idp.Address}/realms/m2m";

    public string PaymentsDatabase => Path.Combine(_data.FullName, "payments.db");

    public string BillingDatabase => Path.Combine(_data.FullName, "billing.db");

    /// <summary>Client secrets, and the Basic credentials made of them: none may appear in a log.</summary>
    public IEnumerable<string> Secrets => _secrets.Values.Concat(_secrets.Select(s =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(s.Key)}:{Uri.EscapeDataString(s.Value)}"))));

    public static async Task<FaultSystem> StartAsync(FaultSystemOptions options, CancellationToken cancellationToken)
    {
        var system = new FaultSystem(options);
        try
        {
            await system.StartCoreAsync(cancellationToken);
            return system;
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        await _otlp.StartAsync();
        await Task.WhenAll(Idp.StartAsync(), Billing.StartAsync(), Payments.StartAsync());
        WriteRealm();
        await StartIdpAsync(cancellationToken);
        await Task.WhenAll(StartBillingAsync(cancellationToken), StartPaymentsAsync(cancellationToken));
    }

    /// <summary>A checkout-service token (the callers' own), asked for through the IdP's proxy.</summary>
    public async Task<string> CallerTokenAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync($"{Issuer}/protocol/openid-connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "checkout-service",
            ["client_secret"] = _secrets["checkout-service"],
            ["scope"] = "payments:write payments:read",
        }), cancellationToken);
        response.EnsureSuccessStatusCode();
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return json?["access_token"]?.GetValue<string>() ?? throw new InvalidOperationException("No access_token in the token response.");
    }

    /// <summary>
    /// Pays and reads back until both succeed (bounded): the services start cold, and under a busy machine their first
    /// requests can outlast the Billing client's attempt timeout; the scenarios measure a warm system.
    /// </summary>
    public async Task WarmUpAsync(string callerToken, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Payments.Address), Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", callerToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(180));
        for (var attempt = 0; ; attempt++)
        {
            using var pay = new HttpRequestMessage(HttpMethod.Post, "/payments")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { amount = 1m, currency = "EUR", description = "warm-up" }),
            };
            pay.Headers.Add("Idempotency-Key", $"warm-up-{attempt}");
            using var paid = await http.SendAsync(pay, deadline.Token);
            if (paid.StatusCode == System.Net.HttpStatusCode.Created)
            {
                using var read = await http.GetAsync(paid.Headers.Location, deadline.Token);
                if (read.IsSuccessStatusCode)
                {
                    return;
                }
            }

            await Task.Delay(500, deadline.Token);
        }
    }

    public async Task KillIdpAsync()
    {
        Idp.Upstream = null;
        await IdpProcess!.KillAsync();
    }


    /// <summary>
    /// Makes a new signing key active in the running IdP (its development-only admin API, as Keycloak's admin REST API
    /// would); the previous key stays published and keeps verifying. Returns the new key id.
    /// </summary>
    public async Task<string> RotateIdpSigningKeyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync($"{Idp.Address}/admin/realms/m2m/keys/rotate", content: null, cancellationToken);
        response.EnsureSuccessStatusCode();
        var keys = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return keys?["active"]?["RS256"]?.GetValue<string>() ?? throw new InvalidOperationException("The rotation answer names no active key.");
    }

    public async Task KillBillingAsync()
    {
        Billing.Upstream = null;
        await BillingProcess!.KillAsync();
    }

    public async Task StartBillingAsync(CancellationToken cancellationToken)
    {
        BillingProcess = await ServiceProcess.StartAsync("billing-api", "Billing.Api", Telemetry(new()
        {
            ["ResourceServer__Authority"] = Issuer,
            ["ResourceServer__Audience"] = "billing-api",
            ["ResourceServer__ClockSkew"] = _options.BillingClockSkew.ToString("c"),
            // No periodic key refresh within a run: every JWKS read counted is one a new kid caused.
            ["ResourceServer__KeyRefreshInterval"] = "00:05:00",
            ["ConnectionStrings__billing-db"] = $"Data Source={BillingDatabase}",
        }), Logs, cancellationToken);
        Billing.Upstream = BillingProcess.Address;
    }

    /// <summary>Kills Payments.Api: no graceful stop, requests in flight and deliveries pending are cut off.</summary>
    public async Task KillPaymentsAsync()
    {
        Payments.Upstream = null;
        await PaymentsProcess!.KillAsync();
    }

    public async Task StartPaymentsAsync(CancellationToken cancellationToken)
    {
        PaymentsProcess = await ServiceProcess.StartAsync("payments-api", "Payments.Api", Telemetry(new()
        {
            ["ResourceServer__Authority"] = Issuer,
            ["ResourceServer__Audience"] = "payments-api",
            ["ResourceServer__KeyRefreshInterval"] = "00:05:00",
            ["TokenClient__billing__Authority"] = Issuer,
            ["TokenClient__billing__ClientId"] = "payments-service",
            ["TokenClient__billing__ClientSecret"] = _secrets["payments-service"],
            ["services__billing-api__http__0"] = Billing.Address,
            ["ConnectionStrings__payments-db"] = $"Data Source={PaymentsDatabase}",
            // A quick outbox, so "the service is back" is seen within seconds.
            ["InvoiceDelivery__PollInterval"] = "00:00:00.200",
            ["InvoiceDelivery__FirstRetryDelay"] = "00:00:00.200",
            ["InvoiceDelivery__MaxRetryDelay"] = "00:00:02",
            ["InvoiceDelivery__RequestLease"] = "00:00:03",
        }), Logs, cancellationToken);
        Payments.Upstream = PaymentsProcess.Address;
    }

    /// <summary>Rows in Payments' database: payments, by status, and outbox entries left.</summary>
    public async Task<PaymentsRows> PaymentsRowsAsync(CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(PaymentsDatabase, cancellationToken);
        var rows = new List<(Guid Id, string Status, Guid? InvoiceId)>();
        await using (var command = db.CreateCommand())
        {
            command.CommandText = "SELECT Id, Status, InvoiceId FROM Payments";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetGuid(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetGuid(2)));
            }
        }

        return new PaymentsRows(rows, await CountAsync(db, "SELECT COUNT(*) FROM InvoiceOutbox", cancellationToken));
    }

    /// <summary>Billing's invoices: (invoice id, payment id) per row.</summary>
    public async Task<IReadOnlyList<(Guid Id, string PaymentId)>> InvoiceRowsAsync(CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(BillingDatabase, cancellationToken);
        await using var command = db.CreateCommand();
        command.CommandText = "SELECT Id, PaymentId FROM Invoices";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<(Guid, string)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetGuid(0), reader.GetString(1)));
        }

        return rows;
    }

    /// <summary>Waits (bounded) until Payments' outbox is empty: every pending invoice delivered or given up.</summary>
    public async Task<PaymentsRows> WaitForOutboxEmptyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            var rows = await PaymentsRowsAsync(deadline.Token);
            if (rows.OutboxEntries == 0)
            {
                return rows;
            }

            await Task.Delay(250, deadline.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in new[] { PaymentsProcess, BillingProcess, IdpProcess })
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        // Every captured console line and what crossed the proxies, for a look at a run that went wrong.
        if (Environment.GetEnvironmentVariable("FAULTS_LOGS") is { Length: > 0 } file)
        {
            var proxies = new[] { Idp, Billing, Payments }.Select(p => $"----- {p.Name}: {string.Join(", ", p.Statuses.Select(s => $"{s.Key}: {s.Value}"))}");
            File.AppendAllLines(file, Logs.Lines.Prepend($"===== {TestContext.Current.TestCase?.TestCaseDisplayName}").Concat(proxies));
        }

        await Payments.DisposeAsync();
        await Billing.DisposeAsync();
        await Idp.DisposeAsync();
        await _otlp.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            _data.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    /// <summary>Starts the IdP (again) on its data (same keys, same clients) and puts it behind its proxy.</summary>
    public async Task StartIdpAsync(CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>
        {
            ["Realm__Path"] = Path.Combine(_data.FullName, "realm.json"),
            // The same folder on every start: a restarted IdP keeps its signing keys, as a restarted Keycloak would.
            ["EmbeddedIdp__DataPath"] = Path.Combine(_data.FullName, "idp"),
            ["EmbeddedIdp__Issuer"] = Issuer,
        };
        foreach (var (client, secret) in _secrets)
        {
            environment[client.Replace('-', '_').ToUpperInvariant() + "_SECRET"] = secret;
        }

        IdpProcess = await ServiceProcess.StartAsync("idp", "EmbeddedIdp", Telemetry(environment), Logs, cancellationToken);
        Idp.Upstream = IdpProcess.Address;
    }

    /// <summary>The repository's realm with the test's token lifetimes (Keycloak's per-client <c>access.token.lifespan</c>).</summary>
    private void WriteRealm()
    {
        var realm = JsonNode.Parse(File.ReadAllText(Repository.RealmFile))!;
        foreach (var client in realm["clients"]!.AsArray())
        {
            var lifetime = client!["clientId"]!.GetValue<string>() switch
            {
                "payments-service" => _options.PaymentsTokenLifetime,
                // The callers hold one token for the whole run: their own token handling is not under test.
                "checkout-service" => TimeSpan.FromHours(1),
                _ => (TimeSpan?)null,
            };
            if (lifetime is { } seconds)
            {
                var attributes = client["attributes"] as JsonObject ?? [];
                attributes["access.token.lifespan"] = ((int)seconds.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                client["attributes"] = attributes;
            }
        }

        File.WriteAllText(Path.Combine(_data.FullName, "realm.json"), realm.ToJsonString());
    }

    private Dictionary<string, string> Telemetry(Dictionary<string, string> environment)
    {
        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = _otlp.Endpoint.ToString();
        environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        environment["OTEL_BSP_SCHEDULE_DELAY"] = "200";
        environment["OTEL_BLRP_SCHEDULE_DELAY"] = "200";
        environment["OTEL_METRIC_EXPORT_INTERVAL"] = "2000";
        foreach (var (key, value) in _options.Logging)
        {
            environment[key] = value;
        }

        return environment;
    }

    private static async Task<SqliteConnection> OpenAsync(string file, CancellationToken cancellationToken)
    {
        // Read-only and unpooled: the test never holds the file the service writes.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private static async Task<int> CountAsync(SqliteConnection db, string sql, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>What a scenario sets before the system starts.</summary>
public sealed record FaultSystemOptions
{
    /// <summary>Lifetime of Payments' tokens (payments-service); short, so a run sees several rollovers.</summary>
    public TimeSpan PaymentsTokenLifetime { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Billing's tolerance for an expired token: a sixth of the default, so a late rollover shows as a 401.</summary>
    public TimeSpan BillingClockSkew { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Extra environment for every service (log levels).</summary>
    public IReadOnlyDictionary<string, string> Logging { get; init; } = new Dictionary<string, string>();
}

/// <summary>Payments' rows at one moment.</summary>
public sealed record PaymentsRows(IReadOnlyList<(Guid Id, string Status, Guid? InvoiceId)> Payments, int OutboxEntries);
