//! Listening TCP ports of tasks, found in one pass over `/proc` for all tasks at once.
//!
//! The sockets in LISTEN state come from `/proc/net/tcp` and `/proc/net/tcp6` (inode, address,
//! port); the processes of each task are those whose environment holds its marker (see
//! [`crate::MARKER_VAR`]), escaped descendants included; a task listens on a socket when one of
//! its processes holds a descriptor of that inode. When nothing listens, no process is looked
//! at.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::marker::MARKER_VAR;

/// A listening socket held by a process of a task.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ListeningSocket {
    /// The port.
    pub port: u16,
    /// The local address, as text (`127.0.0.1`, `::`).
    pub address: String,
    /// The process holding it.
    pub pid: u32,
}

/// Parses the hexadecimal address of `/proc/net/tcp` (`0100007F`) or `/proc/net/tcp6` (four
/// 32-bit words, each in the kernel's byte order).
fn address(hex: &str) -> Option<String> {
    match hex.len() {
        8 => {
            let word = u32::from_str_radix(hex, 16).ok()?;
            Some(Ipv4Addr::from(word.to_ne_bytes()).to_string())
        }
        32 => {
            let mut bytes = [0u8; 16];
            for (i, chunk) in bytes.chunks_mut(4).enumerate() {
                let word = u32::from_str_radix(&hex[i * 8..i * 8 + 8], 16).ok()?;
                chunk.copy_from_slice(&word.to_ne_bytes());
            }
            let ip = Ipv6Addr::from(bytes);
            Some(match ip.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => ip.to_string(),
            })
        }
        _ => None,
    }
}

/// The sockets in LISTEN state of one `/proc/net/tcp*` table: inode → (address, port).
fn listening_in(table: &str, into: &mut HashMap<u64, (String, u16)>) {
    for line in table.lines().skip(1) {
        let fields: Vec<&str> = line.split_ascii_whitespace().collect();
        // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
        let (Some(local), Some(state), Some(inode)) = (fields.get(1), fields.get(3), fields.get(9))
        else {
            continue;
        };
        if *state != "0A" {
            continue;
        }
        let Some((addr, port)) = local.split_once(':') else {
            continue;
        };
        let (Some(addr), Ok(port), Ok(inode)) = (
            address(addr),
            u16::from_str_radix(port, 16),
            inode.parse::<u64>(),
        ) else {
            continue;
        };
        if inode != 0 {
            into.insert(inode, (addr, port));
        }
    }
}

fn listening_sockets() -> HashMap<u64, (String, u16)> {
    let mut sockets = HashMap::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        if let Ok(text) = fs::read_to_string(table) {
            listening_in(&text, &mut sockets);
        }
    }
    sockets
}

/// The marker in a process's environment, if it has one of `wanted`.
fn marker_of<'a>(pid: &str, wanted: &'a HashSet<&str>) -> Option<&'a str> {
    let environ = fs::read(format!("/proc/{pid}/environ")).ok()?;
    let prefix = format!("{MARKER_VAR}=");
    environ.split(|&b| b == 0).find_map(|entry| {
        let value = entry.strip_prefix(prefix.as_bytes())?;
        let value = std::str::from_utf8(value).ok()?;
        wanted.get(value).copied()
    })
}

/// The socket inodes among a process's descriptors.
fn socket_inodes(pid: &str) -> Vec<u64> {
    let Ok(entries) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| {
            let target = fs::read_link(entry.ok()?.path()).ok()?;
            let text = target.to_str()?;
            text.strip_prefix("socket:[")?
                .strip_suffix(']')?
                .parse()
                .ok()
        })
        .collect()
}

/// Scans for listening ports again only when something could have changed: the sockets in
/// LISTEN state (two small files to read) or the tasks asked about. While both stay the same,
/// the processes are not looked at and the last answer is given again (a socket handed from
/// one process of a task to another keeps the pid it was first seen with until then).
#[derive(Debug, Default)]
pub struct PortScanner {
    last: Option<LastScan>,
}

/// What a [`PortScanner`] saw last.
#[derive(Debug)]
struct LastScan {
    /// The listening sockets' inodes, sorted.
    inodes: Vec<u64>,
    /// The markers asked about, sorted.
    markers: Vec<String>,
    /// The answer.
    found: HashMap<String, Vec<ListeningSocket>>,
}

impl PortScanner {
    /// A scanner that has not looked yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// [`listening_ports`], or its last answer when neither the listening sockets nor
    /// `markers` changed since.
    pub fn scan(&mut self, markers: &[String]) -> HashMap<String, Vec<ListeningSocket>> {
        let sockets = listening_sockets();
        let mut inodes: Vec<u64> = sockets.keys().copied().collect();
        inodes.sort_unstable();
        let mut wanted = markers.to_vec();
        wanted.sort_unstable();
        if let Some(last) = &self.last
            && last.inodes == inodes
            && last.markers == wanted
        {
            return last.found.clone();
        }
        let found = scan_with(markers, &sockets);
        self.last = Some(LastScan {
            inodes,
            markers: wanted,
            found: found.clone(),
        });
        found
    }
}

/// For each of `markers`, the TCP sockets in LISTEN state that its processes hold, sorted by
/// port. Tasks that listen on nothing are absent from the answer. Only processes of the
/// calling user are looked at.
pub fn listening_ports(markers: &[String]) -> HashMap<String, Vec<ListeningSocket>> {
    scan_with(markers, &listening_sockets())
}

fn scan_with(
    markers: &[String],
    sockets: &HashMap<u64, (String, u16)>,
) -> HashMap<String, Vec<ListeningSocket>> {
    use std::os::unix::fs::MetadataExt;

    let mut found: HashMap<String, Vec<ListeningSocket>> = HashMap::new();
    if markers.is_empty() || sockets.is_empty() {
        return found;
    }
    let wanted: HashSet<&str> = markers.iter().map(String::as_str).collect();
    // SAFETY: geteuid has no arguments and cannot fail.
    let uid = unsafe { libc::geteuid() };
    let Ok(entries) = fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        if !entry.metadata().is_ok_and(|m| m.uid() == uid) {
            continue;
        }
        let Some(marker) = marker_of(pid, &wanted) else {
            continue;
        };
        let Ok(pid_number) = pid.parse::<u32>() else {
            continue;
        };
        for inode in socket_inodes(pid) {
            if let Some((address, port)) = sockets.get(&inode) {
                found
                    .entry(marker.to_owned())
                    .or_default()
                    .push(ListeningSocket {
                        port: *port,
                        address: address.clone(),
                        pid: pid_number,
                    });
            }
        }
    }
    for ports in found.values_mut() {
        ports.sort();
        ports.dedup();
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_net_tables_are_read_for_listening_sockets_only() {
        let tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   \
             0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0\n   \
             1: 0100007F:A0F2 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0 20 4 30 10 -1\n";
        let tcp6 = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   \
             0: 00000000000000000000000000000000:B5A4 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5151 1 0 100 0 0 10 0\n   \
             1: 0000000000000000FFFF00000100007F:0BB8 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5252 1 0 100 0 0 10 0\n";
        let mut sockets = HashMap::new();
        listening_in(tcp, &mut sockets);
        listening_in(tcp6, &mut sockets);
        assert_eq!(sockets.len(), 3, "{sockets:?}");
        assert_eq!(sockets[&4242], ("127.0.0.1".to_owned(), 8080));
        assert_eq!(sockets[&5151], ("::".to_owned(), 46500));
        assert_eq!(sockets[&5252], ("127.0.0.1".to_owned(), 3000));
    }
}
