using System.Text;

namespace Faults.Tests.Infrastructure;

/// <summary>
/// The figures of one scenario run, written to the test output, and appended to the file <c>FAULTS_REPORT</c> names
/// when set; <c>FAULTS_LOGS</c> names a file for every captured console line.
/// </summary>
public static class ScenarioReport
{
    public static string Write(string scenario, TimeSpan duration, Traffic traffic, FaultSystem system, PaymentsRows? payments = null,
        IReadOnlyList<(Guid Id, string PaymentId)>? invoices = null, int? jwksFetches = null)
    {
        var failures = traffic.Counts.Where(c => !IsSuccess(c.Key)).ToDictionary(c => c.Key, c => c.Value);
        var report = new StringBuilder()
            .AppendLine($"### {scenario} (traffic {duration.TotalSeconds:0} s, {Soak.Callers} callers, soak factor {Soak.Factor})")
            .AppendLine($"- calls made: {traffic.Calls} ({Traffic.Format(traffic.Counts)})")
            .AppendLine($"- failures by status: {Traffic.Format(failures)}")
            .AppendLine($"- at Billing: {Traffic.Format(system.Billing.Statuses)}")
            .AppendLine($"- at the IdP: {Traffic.Format(system.Idp.Statuses)}")
            .AppendLine($"- token requests: {Traffic.Format(system.Idp.TokenRequests)}")
            .AppendLine($"- JWKS fetches: {jwksFetches ?? system.Idp.JwksFetches}");
        if (payments is not null && invoices is not null)
        {
            report.AppendLine($"- payments vs invoices: {payments.Payments.Count} payments ({traffic.Accepted.Count} accepted answers), "
                + $"{invoices.Count} invoices for {invoices.Select(i => i.PaymentId).Distinct().Count()} payments, outbox {payments.OutboxEntries}");
        }

        report.AppendLine($"- captured: {system.Logs.LineCount} log lines, {system.Logs.ExportsOf("traces")} span batches, {system.Logs.ExportsOf("logs")} log batches");
        var text = report.ToString();
        TestContext.Current.TestOutputHelper?.WriteLine(text);
        if (Environment.GetEnvironmentVariable("FAULTS_REPORT") is { Length: > 0 } file)
        {
            File.AppendAllText(file, text + Environment.NewLine);
        }

        return text;
    }

    /// <summary>An answer the caller can act on: the payment, or "pending, ask again later".</summary>
    private static bool IsSuccess(string key) => key.EndsWith(" 200", StringComparison.Ordinal)
        || key.EndsWith(" 201", StringComparison.Ordinal) || key.EndsWith(" 202", StringComparison.Ordinal);
}
