//! pacer: a constant-rate HTTP/1.1 load generator for loopback, in the manner of wrk2.
//!
//! Every connection keeps its own schedule: connection k sends its j-th request at
//! t0 + (k + j * C) / rate, so the C connections together send one request every 1 / rate. A
//! request falls due whether or not the connection is free; when the previous answer is late, the
//! request waits, and its latency still counts from when it was due (no coordinated omission:
//! a stall shows as the latency every request behind it saw). One thread, one epoll loop, one
//! request in flight per connection (no pipelining): made to out-run one uWS core from one core.
//!
//! Requests due but never sent before the end, answers not complete within the timeout, and
//! connection errors are counted, by kind; a step with any of them is not a clean step.
//! The result is one JSON object on stdout (see `report`).
//!
//!   pacer --rate 50000 --duration 5 --connections 32 --timeout 5 http://127.0.0.1:8000/hello

use mio::net::TcpStream;
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq)]
struct Args {
    addr: SocketAddr,
    host: String,
    path: String,
    rate: f64,
    duration: f64,
    connections: usize,
    timeout: f64,
}

const USAGE: &str = "usage: pacer --rate REQ_PER_SEC --duration SEC [--connections N] [--timeout SEC] http://127.0.0.1:PORT/PATH";

fn number(name: &str, v: Option<String>) -> Result<f64, String> {
    let v = v.ok_or_else(|| format!("{name} needs a value"))?;
    let n: f64 = v
        .parse()
        .map_err(|_| format!("{name} must be a number (got \"{v}\")"))?;
    if !n.is_finite() || n <= 0.0 {
        return Err(format!("{name} must be positive (got \"{v}\")"));
    }
    Ok(n)
}

/// The command line, checked: a loopback http:// URL, positive rate, duration and timeout, 1-10000 connections.
fn parse_args(argv: &[String]) -> Result<Args, String> {
    let (mut rate, mut duration, mut connections, mut timeout, mut url) =
        (None, None, 32usize, 5.0, None);
    let mut it = argv.iter().cloned();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--rate" => rate = Some(number("--rate", it.next())?),
            "--duration" => duration = Some(number("--duration", it.next())?),
            "--timeout" => timeout = number("--timeout", it.next())?,
            "--connections" => {
                let n = number("--connections", it.next())?;
                if n.fract() != 0.0 || n > 10000.0 {
                    return Err(format!(
                        "--connections must be a whole number 1-10000 (got {n})"
                    ));
                }
                connections = n as usize;
            }
            s if s.starts_with("--") => return Err(format!("unknown option {s}")),
            s => {
                if url.is_some() {
                    return Err(format!("one URL only (got a second: \"{s}\")"));
                }
                url = Some(s.to_string());
            }
        }
    }
    let url = url.ok_or("no URL")?;
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("the URL must start with http:// (got \"{url}\")"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = authority
        .rsplit_once(':')
        .ok_or_else(|| format!("the URL needs a port (got \"{url}\")"))?;
    let port: u16 = port
        .parse()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| format!("bad port in \"{url}\""))?;
    let ip: IpAddr = if host == "localhost" {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        host.parse()
            .map_err(|_| format!("the host must be an IP address or localhost (got \"{host}\")"))?
    };
    if !ip.is_loopback() {
        return Err(format!(
            "the host must be a loopback address (got {ip}): pacer loads only this machine"
        ));
    }
    if path.bytes().any(|b| b == b' ' || b == b'\r' || b == b'\n') {
        return Err("the path must not contain spaces or line breaks".into());
    }
    Ok(Args {
        addr: SocketAddr::new(ip, port),
        host: authority.to_string(),
        path: path.to_string(),
        rate: rate.ok_or("--rate is required")?,
        duration: duration.ok_or("--duration is required")?,
        connections,
        timeout,
    })
}

/// One complete answer at the head of `buf`: its status, whether the server will close, and its length.
#[derive(Debug, PartialEq)]
enum Parsed {
    Partial,
    Complete {
        status: u16,
        close: bool,
        len: usize,
    },
}

fn parse_response(buf: &[u8]) -> Result<Parsed, String> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut res = httparse::Response::new(&mut headers);
    let head = match res.parse(buf).map_err(|e| format!("bad response: {e}"))? {
        httparse::Status::Partial => return Ok(Parsed::Partial),
        httparse::Status::Complete(n) => n,
    };
    let status = res.code.unwrap_or(0);
    let (mut length, mut close) = (None, res.version == Some(0));
    for h in res.headers.iter() {
        if h.name.eq_ignore_ascii_case("content-length") {
            let v = std::str::from_utf8(h.value)
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok());
            length = Some(v.ok_or("bad Content-Length")?);
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            return Err("chunked answers are not supported".into());
        } else if h.name.eq_ignore_ascii_case("connection") {
            close = h.value.eq_ignore_ascii_case(b"close");
        }
    }
    // 1xx, 204 and 304 have no body; anything else must say how long it is.
    let body = if status < 200 || status == 204 || status == 304 {
        0
    } else {
        length.ok_or("answer without Content-Length")?
    };
    Ok(if buf.len() >= head + body {
        Parsed::Complete {
            status,
            close,
            len: head + body,
        }
    } else {
        Parsed::Partial
    })
}

struct Conn {
    stream: Option<TcpStream>,
    /// Due time of the next request not yet sent.
    next_due: Instant,
    /// Due time of the request in flight, and when it was written.
    in_flight: Option<(Instant, Instant)>,
    written: usize,
    buf: Vec<u8>,
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    status: BTreeMap<u16, u64>,
    errors: BTreeMap<&'static str, u64>,
    sent: u64,
}

impl Tally {
    fn error(&mut self, kind: &'static str) {
        *self.errors.entry(kind).or_default() += 1;
    }
}

fn connect(addr: SocketAddr, poll: &Poll, token: Token) -> io::Result<TcpStream> {
    let s = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    s.set_nodelay(true)?;
    s.set_nonblocking(true)?;
    let mut s = TcpStream::from_std(s);
    poll.registry()
        .register(&mut s, token, Interest::READABLE | Interest::WRITABLE)?;
    Ok(s)
}

/// Drops a broken connection (its request in flight, if any, already counted) and opens another.
fn reconnect(c: &mut Conn, addr: SocketAddr, poll: &Poll, token: Token, tally: &mut Tally) {
    if let Some(mut s) = c.stream.take() {
        let _ = poll.registry().deregister(&mut s);
    }
    c.in_flight = None;
    c.written = 0;
    c.buf.clear();
    match connect(addr, poll, token) {
        Ok(s) => c.stream = Some(s),
        Err(_) => tally.error("connect"),
    }
}

/// Writes what is left of the request; false when the connection broke.
fn flush(c: &mut Conn, request: &[u8]) -> bool {
    let Some(s) = c.stream.as_mut() else {
        return false;
    };
    while c.written < request.len() {
        match s.write(&request[c.written..]) {
            Ok(0) => return false,
            Ok(n) => c.written += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
    true
}

/// A timerfd: epoll sleeps in whole milliseconds, a due time needs microseconds, and spinning would
/// burn the core whose CPU time says whether the generator kept up.
struct Timer(libc::c_int);

impl Timer {
    fn new() -> io::Result<Timer> {
        // SAFETY: plain syscall; the fd is owned by the returned Timer and closed on drop.
        let fd = unsafe {
            libc::timerfd_create(
                libc::CLOCK_MONOTONIC,
                libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
            )
        };
        if fd < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(Timer(fd))
        }
    }

    /// Fires once, `after` from now (at least 1 ns: zero would disarm it).
    fn arm(&self, after: Duration) -> io::Result<()> {
        let after = after.max(Duration::from_nanos(1));
        let spec = libc::itimerspec {
            it_interval: libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: libc::timespec {
                tv_sec: after.as_secs() as libc::time_t,
                tv_nsec: after.subsec_nanos() as libc::c_long,
            },
        };
        // SAFETY: valid fd and a fully initialised itimerspec; the old value is not asked for.
        if unsafe { libc::timerfd_settime(self.0, 0, &spec, std::ptr::null_mut()) } < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(())
        }
    }

    /// Clears a fired expiry (the fd is edge-triggered in mio).
    fn clear(&self) {
        let mut n = 0u64;
        // SAFETY: reads 8 bytes into a u64; EAGAIN when nothing fired is fine.
        unsafe { libc::read(self.0, &mut n as *mut u64 as *mut libc::c_void, 8) };
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        // SAFETY: the fd is ours and closed once.
        unsafe { libc::close(self.0) };
    }
}

/// The timer's token: after every connection's.
const TIMER: Token = Token(usize::MAX);

/// The shortest sleep: a wake per request would cost more than the request (see the loop).
const QUANTUM: Duration = Duration::from_micros(200);

fn run(a: &Args) -> io::Result<(Tally, f64, u64)> {
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: pacer\r\n\r\n",
        a.path, a.host
    )
    .into_bytes();
    let mut poll = Poll::new()?;
    let mut events = Events::with_capacity(1024);
    let timer = Timer::new()?;
    poll.registry()
        .register(&mut SourceFd(&timer.0), TIMER, Interest::READABLE)?;
    let mut tally = Tally::default();
    let mut conns = Vec::with_capacity(a.connections);
    for k in 0..a.connections {
        let s = connect(a.addr, &poll, Token(k))?;
        conns.push(Conn {
            stream: Some(s),
            next_due: Instant::now(),
            in_flight: None,
            written: 0,
            buf: Vec::with_capacity(4096),
        });
    }
    let interval = Duration::from_secs_f64(a.connections as f64 / a.rate);
    let timeout = Duration::from_secs_f64(a.timeout);
    let t0 = Instant::now();
    let end = t0 + Duration::from_secs_f64(a.duration);
    for (k, c) in conns.iter_mut().enumerate() {
        c.next_due = t0 + Duration::from_secs_f64(k as f64 / a.rate);
    }
    let mut unsent = 0u64;
    let mut chunk = [0u8; 16384];
    loop {
        let now = Instant::now();
        // Send what is due on free connections; time out what waited too long.
        let mut wake = end.max(now);
        let mut busy = false;
        for (k, c) in conns.iter_mut().enumerate() {
            if let Some((_, written_at)) = c.in_flight {
                if now.duration_since(written_at) >= timeout {
                    tally.error("timeout");
                    c.next_due += interval;
                    reconnect(c, a.addr, &poll, Token(k), &mut tally);
                } else {
                    busy = true;
                    wake = wake.min(written_at + timeout);
                    continue;
                }
            }
            if c.next_due >= end {
                continue;
            }
            if c.stream.is_none() {
                // No connection (a reconnect failed): this request cannot go; try again for the next.
                tally.error("unsent");
                unsent += 1;
                c.next_due += interval;
                reconnect(c, a.addr, &poll, Token(k), &mut tally);
                wake = now;
                continue;
            }
            if c.next_due <= now {
                c.in_flight = Some((c.next_due, now));
                c.written = 0;
                c.next_due += interval;
                tally.sent += 1;
                busy = true;
                if !flush(c, &request) {
                    tally.error("write");
                    reconnect(c, a.addr, &poll, Token(k), &mut tally);
                }
                wake = wake.min(now + timeout);
            } else {
                wake = wake.min(c.next_due);
            }
        }
        if now >= end && !busy {
            break;
        }
        // Sleep until the next due time (the timerfd wakes epoll to the microsecond), at least one
        // quantum: at high rates one wake sends every request due within it, and those sent up to a
        // quantum late count that wait in their latency, as any wait does.
        let left = wake.saturating_duration_since(Instant::now());
        let sleep = if left.is_zero() {
            Some(Duration::ZERO)
        } else {
            timer.arm(left.max(QUANTUM))?;
            None
        };
        match poll.poll(&mut events, sleep) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
        for ev in events.iter() {
            if ev.token() == TIMER {
                timer.clear();
                continue;
            }
            let k = ev.token().0;
            let c = &mut conns[k];
            if ev.is_writable()
                && c.in_flight.is_some()
                && c.written < request.len()
                && !flush(c, &request)
            {
                tally.error("write");
                reconnect(c, a.addr, &poll, Token(k), &mut tally);
                continue;
            }
            if !ev.is_readable() {
                continue;
            }
            let mut broken = false;
            while let Some(s) = c.stream.as_mut() {
                match s.read(&mut chunk) {
                    Ok(0) => {
                        broken = true;
                        break;
                    }
                    Ok(n) => {
                        c.buf.extend_from_slice(&chunk[..n]);
                        // A short read drained the socket: a later answer raises a new edge, so the
                        // read that would only say EAGAIN is saved.
                        if n < chunk.len() {
                            break;
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => {
                        broken = true;
                        break;
                    }
                }
            }
            match parse_response(&c.buf) {
                Ok(Parsed::Partial) => {}
                Ok(Parsed::Complete { status, close, len }) => {
                    let done = Instant::now();
                    match c.in_flight.take() {
                        Some((due, _)) => {
                            tally
                                .latencies_us
                                .push(done.duration_since(due).as_micros() as u64);
                            *tally.status.entry(status).or_default() += 1;
                        }
                        None => tally.error("unasked answer"),
                    }
                    c.buf.drain(..len);
                    if close || !c.buf.is_empty() {
                        reconnect(c, a.addr, &poll, Token(k), &mut tally);
                    }
                    continue;
                }
                Err(_) => {
                    tally.error("bad response");
                    broken = true;
                }
            }
            if broken {
                if c.in_flight.is_some() {
                    tally.error("closed");
                }
                reconnect(c, a.addr, &poll, Token(k), &mut tally);
            }
        }
    }
    // Requests whose due time passed while their connection was busy until the end: never sent.
    for c in conns.iter_mut() {
        while c.next_due < end {
            unsent += 1;
            tally.error("unsent");
            c.next_due += interval;
        }
    }
    Ok((tally, t0.elapsed().as_secs_f64(), unsent))
}

fn percentile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

/// The result as one JSON object: what was planned, sent and answered, statuses, errors by kind,
/// and latency percentiles in microseconds, each from its request's due time.
fn report(a: &Args, mut t: Tally, wall: f64, unsent: u64) -> String {
    t.latencies_us.sort_unstable();
    let l = &t.latencies_us;
    let mean = if l.is_empty() {
        0.0
    } else {
        l.iter().sum::<u64>() as f64 / l.len() as f64
    };
    let status = t
        .status
        .iter()
        .map(|(k, v)| format!("\"{k}\":{v}"))
        .collect::<Vec<_>>()
        .join(",");
    let errors = t
        .errors
        .iter()
        .map(|(k, v)| format!("\"{k}\":{v}"))
        .collect::<Vec<_>>()
        .join(",");
    format!(
        "{{\"rate\":{},\"duration_sec\":{},\"connections\":{},\"wall_sec\":{:.6},\"planned\":{},\"sent\":{},\"answered\":{},\"unsent\":{},\"status\":{{{}}},\"errors\":{{{}}},\"latency_us\":{{\"min\":{},\"mean\":{:.1},\"p50\":{},\"p90\":{},\"p95\":{},\"p99\":{},\"p999\":{},\"max\":{}}}}}",
        a.rate,
        a.duration,
        a.connections,
        wall,
        t.sent + unsent,
        t.sent,
        l.len(),
        unsent,
        status,
        errors,
        l.first().copied().unwrap_or(0),
        mean,
        percentile(l, 0.5),
        percentile(l, 0.9),
        percentile(l, 0.95),
        percentile(l, 0.99),
        percentile(l, 0.999),
        l.last().copied().unwrap_or(0),
    )
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if argv.iter().any(|a| a == "--version") {
        println!("pacer {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    let args = match parse_args(&argv) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("pacer: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok((tally, wall, unsent)) => {
            println!("{}", report(&args, tally, wall, unsent));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("pacer: {e} ({})", args.addr);
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Result<Args, String> {
        parse_args(&s.split_whitespace().map(String::from).collect::<Vec<_>>())
    }

    #[test]
    fn arguments_are_checked() {
        let a =
            args("--rate 50000 --duration 5 --connections 16 http://127.0.0.1:8000/hello").unwrap();
        assert_eq!(
            (
                a.addr.port(),
                a.path.as_str(),
                a.host.as_str(),
                a.rate,
                a.connections,
                a.timeout
            ),
            (8000, "/hello", "127.0.0.1:8000", 50000.0, 16, 5.0)
        );
        assert_eq!(
            args("--rate 1 --duration 1 http://localhost:80")
                .unwrap()
                .path,
            "/"
        );
        assert!(args("--rate 1 --duration 1 http://10.0.0.1:80/")
            .unwrap_err()
            .contains("loopback"));
        assert!(args("--rate 0 --duration 1 http://127.0.0.1:80/")
            .unwrap_err()
            .contains("positive"));
        assert!(args("--rate x --duration 1 http://127.0.0.1:80/")
            .unwrap_err()
            .contains("number"));
        assert!(args("--duration 1 http://127.0.0.1:80/")
            .unwrap_err()
            .contains("--rate is required"));
        assert!(
            args("--rate 1 --duration 1 --connections 1.5 http://127.0.0.1:80/")
                .unwrap_err()
                .contains("whole number")
        );
        assert!(args("--rate 1 --duration 1 https://127.0.0.1:80/")
            .unwrap_err()
            .contains("http://"));
        assert!(args("--rate 1 --duration 1 http://127.0.0.1/")
            .unwrap_err()
            .contains("port"));
        assert!(args("--rate 1 --duration 1 --bogus http://127.0.0.1:80/")
            .unwrap_err()
            .contains("unknown option"));
    }

    #[test]
    fn answers_are_framed_by_content_length() {
        let ok = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";
        assert_eq!(
            parse_response(ok),
            Ok(Parsed::Complete {
                status: 200,
                close: false,
                len: ok.len()
            })
        );
        assert_eq!(parse_response(&ok[..ok.len() - 1]), Ok(Parsed::Partial));
        assert_eq!(parse_response(&ok[..20]), Ok(Parsed::Partial));
        let two = [&ok[..], &ok[..]].concat();
        assert_eq!(
            parse_response(&two),
            Ok(Parsed::Complete {
                status: 200,
                close: false,
                len: ok.len()
            })
        );
        let closing =
            b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(
            parse_response(closing),
            Ok(Parsed::Complete {
                status: 503,
                close: true,
                len: closing.len()
            })
        );
        assert!(
            parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                .unwrap_err()
                .contains("chunked")
        );
        assert!(parse_response(b"HTTP/1.1 200 OK\r\n\r\n")
            .unwrap_err()
            .contains("Content-Length"));
        assert!(parse_response(b"NOT HTTP\r\n\r\n").is_err());
    }

    #[test]
    fn percentiles_are_exact_ranks() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(
            (
                percentile(&v, 0.5),
                percentile(&v, 0.99),
                percentile(&v, 1.0),
                percentile(&[], 0.5)
            ),
            (50, 99, 100, 0)
        );
    }

    /// Against a real loopback server that answers late once: the requests due meanwhile count from their due time.
    #[test]
    fn a_stall_counts_for_every_request_due_during_it() {
        use std::io::{BufRead, BufReader};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (s, _) = listener.accept().unwrap();
            let mut w = s.try_clone().unwrap();
            let mut r = BufReader::new(s);
            let mut n = 0;
            let mut line = String::new();
            loop {
                line.clear();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                if line == "\r\n" {
                    n += 1;
                    if n == 5 {
                        std::thread::sleep(Duration::from_millis(300));
                    }
                    let _ = w.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                }
            }
        });
        // One connection, 100/s for 1 s: one request every 10 ms; the 5th answer takes 300 ms.
        let a = args(&format!(
            "--rate 100 --duration 1 --connections 1 http://127.0.0.1:{port}/"
        ))
        .unwrap();
        let (t, _, unsent) = run(&a).unwrap();
        assert_eq!(unsent, 0);
        assert_eq!(t.status.get(&200), Some(&100));
        let late = t.latencies_us.iter().filter(|&&us| us >= 100_000).count();
        // The stalled request and the ~29 due while it waited were all at least 100 ms late.
        assert!(
            (20..=32).contains(&late),
            "{late} requests at least 100 ms late"
        );
        assert!(*t.latencies_us.iter().max().unwrap() >= 300_000);
    }
}
