using BenchmarkDotNet.Running;
using M2MDemo.Benchmarks;

// bench/run.sh calls this program five ways; each mode says in its own file what it does.
return args switch
{
    ["validation", .. var rest] => Summarize(BenchmarkRunner.Run<TokenValidationBenchmarks>(TokenValidationBenchmarks.Config, rest)),
    ["serve", var service, var port, var mode] => await ServiceHost.RunAsync(service, int.Parse(port), mode),
    ["token-proxy", var port, var upstream] => await CountingTokenProxy.RunAsync(int.Parse(port), new Uri(upstream)),
    ["burst", var baseAddress, var token, var paymentId, var gets, var posts] =>
        await Burst.RunAsync(new Uri(baseAddress), token, Guid.Parse(paymentId), int.Parse(gets), int.Parse(posts)),
    ["callers", var baseAddress, var tokenFile, var count, var concurrency] =>
        await Callers.RunAsync(new Uri(baseAddress), tokenFile, int.Parse(count), int.Parse(concurrency)),
    _ => Usage(),
};

static int Summarize(BenchmarkDotNet.Reports.Summary summary) => summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success) ? 1 : 0;

static int Usage()
{
    Console.Error.WriteLine("""
        usage: M2MDemo.Benchmarks validation [BenchmarkDotNet options]        measurement 1: token validation cost
               M2MDemo.Benchmarks serve Billing.Api|Payments.Api PORT auth-on|auth-off   a service, as measurements 2, 3 and 5 load it
               M2MDemo.Benchmarks token-proxy PORT UPSTREAM                   measurement 3: count token requests per scope set
               M2MDemo.Benchmarks burst PAYMENTS_URL TOKEN PAYMENT_ID GETS POSTS   measurement 3: GETS+POSTS calls at once
               M2MDemo.Benchmarks callers PAYMENTS_URL TOKEN_FILE COUNT CONCURRENCY  measurement 7: COUNT payments from distinct callers
        """);
    return 2;
}
